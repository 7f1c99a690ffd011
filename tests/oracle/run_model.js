#!/usr/bin/env node
// Runs one ONNX model in ONNX Runtime (CPU execution provider): the independent oracle for the
// flowonnx tests (tests/oracle/ort_oracle.h drives it).
//
//   node run_model.js MODEL.onnx OUT_DIR NAME=IN.npy ... [--opt=disabled|basic|extended|all]
//                     [--threads N]
//
// Feeds each named input from a .npy file, runs every output, and writes OUT_DIR/<index>.npy per
// output in session output order plus OUT_DIR/names.txt (one output name per line). Any error:
// message on stderr, exit code 1.
'use strict';

// onnxruntime 1.30's Linux build carries Microsoft's 1DS telemetry, which would try to reach
// mobile.events.data.microsoft.com and leaves mat-debug-<pid>.log and .ses files in $TMPDIR.
// ORT reads this variable when its library initialises, so it must be set before require().
process.env.ORT_DISABLE_TELEMETRY = '1';

const fs = require('fs');
const path = require('path');

// ---- tiny .npy reader/writer ---------------------------------------------------------------
// Reads format versions 1.0, 2.0 and 3.0 (C order, little-endian); writes 1.0 (2.0 when the
// header does not fit). float16 travels as raw uint16 bits.

// descr -> [ort type, bytes per element, typed array constructor]
const DTYPES = {
  '<f4': ['float32', 4, Float32Array],
  '<f8': ['float64', 8, Float64Array],
  '<f2': ['float16', 2, Uint16Array],
  '<i1': ['int8', 1, Int8Array],
  '|i1': ['int8', 1, Int8Array],
  '<i2': ['int16', 2, Int16Array],
  '<i4': ['int32', 4, Int32Array],
  '<i8': ['int64', 8, BigInt64Array],
  '|u1': ['uint8', 1, Uint8Array],
  '<u1': ['uint8', 1, Uint8Array],
  '|b1': ['bool', 1, Uint8Array],
  '|?': ['bool', 1, Uint8Array],
};

const DESCR_OF_TYPE = {
  float32: '<f4', float64: '<f8', float16: '<f2', int8: '|i1', int16: '<i2', int32: '<i4',
  int64: '<i8', uint8: '|u1', bool: '|b1',
};

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);  // \x93NUMPY

function parseHeader(header, file) {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`${file}: malformed .npy header: ${header.trim()}`);
  if (fortran[1] === 'True') throw new Error(`${file}: Fortran-order .npy is not supported`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    if (!/^\d+L?$/.test(s)) throw new Error(`${file}: bad dimension '${s}' in .npy shape`);
    return parseInt(s, 10);
  });
  return { descr: descr[1], dims };
}

// Returns {type, dims, data} with data a fresh (aligned) typed array.
function readNpy(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC)) throw new Error(`${file}: not a .npy file`);
  const major = bytes[6];
  let headerLen;
  let offset;
  if (major === 1) {
    headerLen = bytes.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${file}: truncated .npy header`);
    headerLen = bytes.readUInt32LE(8);
    offset = 12;
  } else {
    throw new Error(`${file}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (offset + headerLen > bytes.length) throw new Error(`${file}: truncated .npy header`);
  const header = bytes.subarray(offset, offset + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, dims } = parseHeader(header, file);
  const entry = DTYPES[descr];
  if (!entry) throw new Error(`${file}: unsupported .npy dtype '${descr}'`);
  const [type, size, Ctor] = entry;
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  const nbytes = count * size;
  if (bytes.length - dataStart !== nbytes) {
    throw new Error(`${file}: .npy data has ${bytes.length - dataStart} bytes, shape [${dims}] of ${descr} needs ${nbytes}`);
  }
  const buffer = new ArrayBuffer(nbytes);  // copy: Buffer slices may be misaligned
  new Uint8Array(buffer).set(bytes.subarray(dataStart));
  let data = new Ctor(buffer);
  if (type === 'bool') data = Uint8Array.from(data, (v) => (v ? 1 : 0));
  return { type, dims, data };
}

function encodeNpy(type, dims, data) {
  const descr = DESCR_OF_TYPE[type];
  if (!descr) throw new Error(`cannot write an output of type '${type}' as .npy`);
  const shape = dims.length === 0 ? '()' : dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    major = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const header = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const head = Buffer.alloc(prefix);
  MAGIC.copy(head, 0);
  head[6] = major;
  head[7] = 0;
  if (major === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  if (!ArrayBuffer.isView(data)) throw new Error(`cannot write an output of type '${type}' as .npy`);
  const body = type === 'bool' ? Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)))
                               : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const count = dims.reduce((a, b) => a * b, 1);
  const size = DTYPES[descr][1];
  if (body.length !== count * size) {
    throw new Error(`output of shape [${dims}] has ${body.length} bytes of ${type}, expected ${count * size}`);
  }
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

function writeNpy(file, type, dims, data) {
  fs.writeFileSync(file, encodeNpy(type, dims, data));
}

// ---- command line --------------------------------------------------------------------------
const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'];

function usage(message) {
  throw new Error(`${message}\nusage: run_model.js MODEL.onnx OUT_DIR NAME=IN.npy ... ` +
                  '[--opt=disabled|basic|extended|all] [--threads N]');
}

function parseArgs(argv) {
  const options = { opt: 'all', threads: 0, feeds: [], positional: [] };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if (arg.startsWith('--opt')) {
      options.opt = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!OPT_LEVELS.includes(options.opt)) usage(`bad --opt '${options.opt}'`);
    } else if (arg.startsWith('--threads')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!/^\d+$/.test(value || '')) usage(`bad --threads '${value}'`);
      options.threads = parseInt(value, 10);
    } else if (arg.startsWith('--')) {
      usage(`unknown option '${arg}'`);
    } else if (options.positional.length < 2) {
      options.positional.push(arg);
    } else {
      const eq = arg.indexOf('=');
      if (eq <= 0) usage(`input '${arg}' is not NAME=FILE.npy`);
      options.feeds.push([arg.slice(0, eq), arg.slice(eq + 1)]);
    }
  }
  if (options.positional.length < 2) usage('missing MODEL.onnx or OUT_DIR');
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const [model, outDir] = options.positional;
  if (!fs.existsSync(model)) throw new Error(`model file not found: ${model}`);
  const ort = require('onnxruntime-node');

  const sessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: options.opt };
  if (options.threads > 0) {
    sessionOptions.intraOpNumThreads = options.threads;
    sessionOptions.interOpNumThreads = 1;
  }
  const session = await ort.InferenceSession.create(model, sessionOptions);

  const feeds = {};
  for (const [name, file] of options.feeds) {
    if (!session.inputNames.includes(name)) {
      throw new Error(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
    const { type, dims, data } = readNpy(file);
    feeds[name] = new ort.Tensor(type, data, dims);
  }
  const results = await session.run(feeds);

  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, index) => {
    const tensor = results[name];
    if (!tensor) throw new Error(`ONNX Runtime returned no value for output '${name}'`);
    writeNpy(path.join(outDir, `${index}.npy`), tensor.type, tensor.dims, tensor.data);
  });
  fs.writeFileSync(path.join(outDir, 'names.txt'), session.outputNames.map((n) => `${n}\n`).join(''));
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`run_model.js: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});
