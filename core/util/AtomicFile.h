#pragma once
// Writes a whole file so that readers see the old content or the new, never
// half: a temporary beside it, flushed, then renamed over it. A full disk or
// a missing folder is a UserError naming the file; the old file is untouched.
#include <string>
#include <string_view>

namespace samtok {

void writeFileAtomic(const std::string& path, std::string_view content);

}  // namespace samtok
