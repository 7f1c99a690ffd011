// Drives tests/oracle/run_model.py (PyPI onnxruntime in the project's .venv) through the shell:
// inputs and outputs travel as .npy files in a private temporary folder that is removed on every
// path out.
#include "oracle/ort_oracle.h"

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.h"
#include "tensor/npy.h"

#ifndef FLOWONNX_SOURCE_DIR
#error "FLOWONNX_SOURCE_DIR must name the repository root (tests/CMakeLists.txt defines it)"
#endif

namespace flowonnx::testing {
namespace fs = std::filesystem;

namespace {

// Single-quotes `text` for /bin/sh.
std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

}  // namespace

std::string oracle_python() {
  const char* override_path = std::getenv("FLOWONNX_PYTHON");
  if (override_path && *override_path) return override_path;
  return (fs::path(FLOWONNX_SOURCE_DIR) / ".venv" / "bin" / "python").string();
}

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

// A fresh private folder under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "flowonnx_ort_XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      fail(ErrorCode::IoError, "cannot create a temporary folder from {}", pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs `command` through /bin/sh; returns the exit status (-1 when it did not exit normally).
int run_shell(const std::string& command) {
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

std::string index_string(const Shape& shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    int64_t dim = std::max<int64_t>(shape[d], 1);
    index[d] = flat % dim;
    flat /= dim;
  }
  return fmt::format("[{}]", fmt::join(index, ", "));
}

bool is_integral(DType dtype) { return !is_floating(dtype); }

}  // namespace

fs::path oracle_dir() { return fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "oracle"; }

bool onnxruntime_available() {
  static std::once_flag once;
  static bool available = false;
  std::call_once(once, [] {
    // ORT_DISABLE_TELEMETRY as in ort_common.py: otherwise the import leaves a .ses file in $TMPDIR.
    available = run_shell("ORT_DISABLE_TELEMETRY=1 " + shell_quote(oracle_python()) +
                          " -c 'import onnxruntime, numpy' </dev/null >/dev/null 2>&1") == 0;
  });
  return available;
}

std::string onnxruntime_missing_message() {
  return fmt::format(
      "the ONNX Runtime test oracle is not installed ({} cannot import onnxruntime and numpy); "
      "run scripts/setup.sh (it calls scripts/setup_python.sh, which creates .venv with the "
      "pinned PyPI packages of scripts/requirements-test.txt)",
      oracle_python());
}

std::vector<Tensor> run_onnxruntime(const fs::path& model,
                                    const std::vector<std::pair<std::string, Tensor>>& feeds,
                                    const OrtOptions& options) {
  return run_onnxruntime(model, feeds, options, nullptr);
}

std::vector<Tensor> run_onnxruntime(const fs::path& model,
                                    const std::vector<std::pair<std::string, Tensor>>& feeds,
                                    const OrtOptions& options,
                                    std::vector<std::string>* output_names) {
  if (!onnxruntime_available()) fail(ErrorCode::IoError, "{}", onnxruntime_missing_message());
  TempDir temp;
  const fs::path out_dir = temp.path() / "out";

  std::string command = fmt::format("{} {} {} {} --opt={}", shell_quote(oracle_python()),
                                    shell_quote((oracle_dir() / "run_model.py").string()),
                                    shell_quote(fs::absolute(model).string()),
                                    shell_quote(out_dir.string()), shell_quote(options.optimization));
  if (options.threads > 0) command += fmt::format(" --threads {}", options.threads);
  for (size_t i = 0; i < feeds.size(); ++i) {
    const auto& [name, tensor] = feeds[i];
    FLOWONNX_REQUIRE(tensor.defined(), "run_onnxruntime: input '{}' is an undefined tensor", name);
    fs::path file = temp.path() / fmt::format("in{}.npy", i);
    write_npy(file, tensor);
    command += " " + shell_quote(name + "=" + file.string());
  }
  const fs::path stdout_file = temp.path() / "stdout.txt";
  const fs::path stderr_file = temp.path() / "stderr.txt";
  command += fmt::format(" </dev/null >{} 2>{}", shell_quote(stdout_file.string()),
                         shell_quote(stderr_file.string()));

  int code = run_shell(command);
  if (code != 0) {
    std::string message = trim(read_text(stderr_file));
    if (message.empty()) message = trim(read_text(stdout_file));
    fail(ErrorCode::InvalidModel, "ONNX Runtime failed on {} (exit {}): {}", model.string(), code,
         message.empty() ? "(no message)" : message);
  }

  std::vector<std::string> names;
  {
    std::ifstream in(out_dir / "names.txt");
    if (!in) fail(ErrorCode::IoError, "ONNX Runtime oracle wrote no {}", (out_dir / "names.txt").string());
    for (std::string line; std::getline(in, line);) names.push_back(line);
  }
  std::vector<Tensor> outputs;
  outputs.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i)
    outputs.push_back(read_npy(out_dir / fmt::format("{}.npy", i)));
  if (output_names) *output_names = std::move(names);
  return outputs;
}

CompareResult compare_tensors(const Tensor& actual, const Tensor& expected, double rtol,
                              double atol) {
  CompareResult result;
  auto disagree = [&](const std::string& what) {
    result.mismatches = expected.defined() ? std::max<int64_t>(1, expected.num_elements()) : 1;
    result.max_abs = result.max_rel = std::numeric_limits<double>::infinity();
    result.worst = what;
    return result;
  };
  if (!actual.defined() || !expected.defined())
    return disagree(fmt::format("actual is {}, expected is {}",
                                actual.defined() ? actual.describe() : "undefined",
                                expected.defined() ? expected.describe() : "undefined"));
  if (actual.dtype() != expected.dtype())
    return disagree(fmt::format("dtype differs: actual {}, expected {}", actual.describe(),
                                expected.describe()));
  if (actual.shape() != expected.shape())
    return disagree(fmt::format("shape differs: actual {}, expected {}", actual.describe(),
                                expected.describe()));

  const int64_t count = expected.num_elements();
  double worst_excess = -1;
  int64_t worst_index = -1;
  double worst_a = 0, worst_e = 0;
  auto visit = [&](int64_t i, double a, double e, double diff, bool mismatch) {
    if (std::isfinite(diff) || mismatch) result.max_abs = std::max(result.max_abs, diff);
    if (e != 0 && std::isfinite(e) && (std::isfinite(diff) || mismatch))
      result.max_rel = std::max(result.max_rel, diff / std::fabs(e));
    if (!mismatch) return;
    ++result.mismatches;
    double excess = std::isfinite(diff) ? diff - (atol + rtol * std::fabs(e))
                                        : std::numeric_limits<double>::infinity();
    if (excess > worst_excess || worst_index < 0) {
      worst_excess = excess;
      worst_index = i;
      worst_a = a;
      worst_e = e;
    }
  };

  if (is_integral(expected.dtype())) {
    Tensor a64 = actual.to(DType::Int64);
    Tensor e64 = expected.to(DType::Int64);
    const int64_t* a = a64.data<int64_t>();
    const int64_t* e = e64.data<int64_t>();
    for (int64_t i = 0; i < count; ++i) {
      if (a[i] == e[i]) continue;
      // Exact difference first (int64 values beyond 2^53 collide as doubles).
      __int128 exact = static_cast<__int128>(a[i]) - static_cast<__int128>(e[i]);
      double diff = static_cast<double>(exact < 0 ? -exact : exact);
      double ed = static_cast<double>(e[i]);
      visit(i, static_cast<double>(a[i]), ed, diff, diff > atol + rtol * std::fabs(ed));
    }
  } else {
    std::vector<double> a = actual.to_double_vector();
    std::vector<double> e = expected.to_double_vector();
    for (int64_t i = 0; i < count; ++i) {
      const double av = a[i], ev = e[i];
      if (std::isnan(av) || std::isnan(ev)) {
        bool both = std::isnan(av) && std::isnan(ev);
        visit(i, av, ev, both ? 0.0 : std::numeric_limits<double>::infinity(), !both);
      } else if (std::isinf(av) || std::isinf(ev)) {
        bool same = av == ev;
        visit(i, av, ev, same ? 0.0 : std::numeric_limits<double>::infinity(), !same);
      } else {
        double diff = std::fabs(av - ev);
        visit(i, av, ev, diff, diff > atol + rtol * std::fabs(ev));
      }
    }
  }
  if (worst_index >= 0)
    result.worst = fmt::format("{} (flat {}): actual {:.9g}, expected {:.9g}, |diff| {:.3g} > "
                               "atol {:g} + rtol {:g} * |expected|",
                               index_string(expected.shape(), worst_index), worst_index, worst_a,
                               worst_e, std::fabs(worst_a - worst_e), atol, rtol);
  return result;
}

std::string to_string(const CompareResult& result) {
  if (result.ok())
    return fmt::format("match (max_abs {:.3g}, max_rel {:.3g})", result.max_abs, result.max_rel);
  return fmt::format("{} mismatches, max_abs {:.3g}, max_rel {:.3g}; worst: {}", result.mismatches,
                     result.max_abs, result.max_rel, result.worst);
}

std::ostream& operator<<(std::ostream& out, const CompareResult& result) {
  return out << to_string(result);
}

}  // namespace flowonnx::testing
