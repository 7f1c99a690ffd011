#!/usr/bin/env node
// Times one ONNX model in ONNX Runtime (CPU execution provider) on random float inputs, for the
// side-by-side benchmarks in bench/ (flowonnx vs ONNX Runtime, measured in the same run).
//
//   node bench_model.js MODEL.onnx [--input NAME=SHAPE ...] [--threads N] [--warmup W] [--runs R]
//                       [--opt=disabled|basic|extended|all]
//
// SHAPE is 1x3x224x224 (or 1,3,224,224). Inputs not named take their shape from the model when
// it is static. Prints one JSON object:
//   {"session_create_ms", "median_ms", "min_ms", "mean_ms", "runs", "warmup", "threads",
//    "opt", "onnxruntime"}
// Any error: message on stderr, exit code 1.
'use strict';

// onnxruntime 1.30's Linux build carries Microsoft's 1DS telemetry, which would try to reach
// mobile.events.data.microsoft.com and leaves mat-debug-<pid>.log and .ses files in $TMPDIR.
// ORT reads this variable when its library initialises, so it must be set before require().
process.env.ORT_DISABLE_TELEMETRY = '1';

const fs = require('fs');

const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'];

function usage(message) {
  throw new Error(`${message}\nusage: bench_model.js MODEL.onnx [--input NAME=SHAPE ...] ` +
                  '[--threads N] [--warmup W] [--runs R] [--opt=disabled|basic|extended|all]');
}

function parseArgs(argv) {
  const options = { model: null, inputs: new Map(), threads: 0, warmup: 3, runs: 10, opt: 'all' };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const key = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    const count = (name, min) => {
      const text = value();
      if (!/^\d+$/.test(text || '') || parseInt(text, 10) < min) usage(`bad ${name} '${text}'`);
      return parseInt(text, 10);
    };
    if (key === '--input') {
      const spec = value() || '';
      const at = spec.lastIndexOf('=');
      if (at <= 0) usage(`--input '${spec}' is not NAME=SHAPE`);
      const dims = spec.slice(at + 1).split(/[x,]/).map((d) => {
        if (!/^\d+$/.test(d)) usage(`bad shape in --input '${spec}'`);
        return parseInt(d, 10);
      });
      options.inputs.set(spec.slice(0, at), dims);
    } else if (key === '--threads') {
      options.threads = count('--threads', 0);
    } else if (key === '--warmup') {
      options.warmup = count('--warmup', 0);
    } else if (key === '--runs') {
      options.runs = count('--runs', 1);
    } else if (key === '--opt') {
      options.opt = value();
      if (!OPT_LEVELS.includes(options.opt)) usage(`bad --opt '${options.opt}'`);
    } else if (arg.startsWith('--')) {
      usage(`unknown option '${arg}'`);
    } else if (options.model === null) {
      options.model = arg;
    } else {
      usage(`unexpected argument '${arg}'`);
    }
  }
  if (options.model === null) usage('missing MODEL.onnx');
  return options;
}

// Deterministic uniform values in [-1, 1) (xorshift32), so runs are repeatable.
function randomFloats(count, seed) {
  const data = new Float32Array(count);
  let state = (seed >>> 0) || 0x9e3779b9;
  for (let i = 0; i < count; ++i) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    data[i] = (state / 4294967296) * 2 - 1;
  }
  return data;
}

const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(options.model)) throw new Error(`model file not found: ${options.model}`);
  const ort = require('onnxruntime-node');

  const sessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: options.opt };
  if (options.threads > 0) {
    sessionOptions.intraOpNumThreads = options.threads;
    sessionOptions.interOpNumThreads = 1;
  }
  const createStart = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(options.model, sessionOptions);
  const sessionCreateMs = elapsedMs(createStart);

  for (const name of options.inputs.keys()) {
    if (!session.inputNames.includes(name)) {
      throw new Error(`model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    }
  }
  const metadata = session.inputMetadata || [];
  const feeds = {};
  session.inputNames.forEach((name, index) => {
    let dims = options.inputs.get(name);
    const meta = metadata[index];
    if (meta && meta.isTensor && meta.type !== 'float32') {
      throw new Error(`input '${name}' is ${meta.type}; bench_model.js feeds float32 only`);
    }
    if (!dims) {
      const shape = meta && meta.isTensor ? meta.shape : null;
      if (!shape || !shape.every((d) => typeof d === 'number' && d >= 0)) {
        throw new Error(`input '${name}' has no static shape; pass --input ${name}=SHAPE`);
      }
      dims = shape;
    }
    const count = dims.reduce((a, b) => a * b, 1);
    feeds[name] = new ort.Tensor('float32', randomFloats(count, 1234 + index), dims);
  });

  for (let i = 0; i < options.warmup; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < options.runs; ++i) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times.push(elapsedMs(start));
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (x) => Math.round(x * 1000) / 1000;
  const result = {
    session_create_ms: round(sessionCreateMs),
    median_ms: round(median),
    min_ms: round(sorted[0]),
    mean_ms: round(times.reduce((a, b) => a + b, 0) / times.length),
    runs: options.runs,
    warmup: options.warmup,
    threads: options.threads,
    opt: options.opt,
    onnxruntime: ort.env.versions ? ort.env.versions.node : 'unknown',
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await session.release();
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`bench_model.js: ${error && error.message ? error.message : error}\n`);
  process.exit(1);
});
