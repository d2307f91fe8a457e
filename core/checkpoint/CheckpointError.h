#pragma once
#include "util/Error.h"

#include <string>

namespace samtok::checkpoint {

// A checkpoint that cannot be used: unreadable, truncated, hostile or not matching the model.
// The message names the file and the problem. A user can fix it (another file), so it is a UserError.
class CheckpointError : public UserError {
public:
    using UserError::UserError;
};

}  // namespace samtok::checkpoint
