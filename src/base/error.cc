#include "base/error.h"

namespace flowonnx {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::InvalidModel: return "InvalidModel";
    case ErrorCode::NotImplemented: return "NotImplemented";
    case ErrorCode::IoError: return "IoError";
    case ErrorCode::Internal: return "Internal";
  }
  return "Unknown";
}

}  // namespace flowonnx
