#pragma once
// Adding image files to a project: the one code path the CLI and the GUI share.
#include "store/ProjectStore.h"

#include <functional>
#include <string>
#include <vector>

namespace samtok {

// Image files under the given files and folders, sorted, by extension
// (png, jpg, jpeg, bmp, tif, tiff, webp; any case). Throws UserError for a
// path that does not exist.
std::vector<std::string> collectImageFiles(const std::vector<std::string>& paths, bool recursive = true);

struct AddImagesReport {
    std::vector<RowId> added;
    std::vector<std::string> duplicates;                      // same bytes as an image already there
    std::vector<std::pair<std::string, std::string>> failed;  // path, reason
    bool cancelled = false;
};

// progress(done, total) is called after each file; returning false cancels
// before anything is written. Files are read outside the transaction; the
// new rows are then written in one transaction, so the action is all or nothing.
AddImagesReport addImages(ProjectStore& store, const std::vector<std::string>& files,
                          const std::function<bool(std::size_t, std::size_t)>& progress = {});

}  // namespace samtok
