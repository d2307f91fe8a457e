#include "cli/Commands.h"
#include "cli/Progress.h"
#include "model/Runtime.h"
#include "sample/SampleScenes.h"
#include "store/AddImages.h"
#include "store/ProjectStore.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

namespace samtok::cli {
namespace {

struct ProjectOptions {
    std::string project;
    std::string name;
    std::vector<std::string> paths;
    bool noRecursive = false;
    bool json = false;
    std::string folder;
    int count = 12;
};

void init(const ProjectOptions& o) {
    const std::string name = o.name.empty() ? std::filesystem::path(o.project).stem().string() : o.name;
    ProjectStore store = ProjectStore::create(o.project, name);
    std::cout << "created project '" << name << "' at " << store.path() << " (schema v" << store.schemaVersion()
              << ")\n";
}

void addImagesCommand(const ProjectOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    const std::vector<std::string> files = collectImageFiles(o.paths, !o.noRecursive);
    Progress progress("adding images");
    const AddImagesReport r = addImages(store, files, [&](std::size_t d, std::size_t t) {
        progress.update(d, t);
        return true;
    });
    progress.finish();
    for (const auto& [path, why] : r.failed) std::cerr << "skipped " << why << "\n";
    std::cout << "added " << r.added.size() << ", duplicates skipped " << r.duplicates.size() << ", unreadable "
              << r.failed.size() << " (project now has " << store.imageCount() << " images)\n";
}

void info(const ProjectOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    const auto byStatus = store.imageCountsByStatus();
    const auto classes = store.classes();
    const auto tokenizers = store.tokenizers();
    nlohmann::json j;
    j["path"] = store.path();
    j["name"] = store.name();
    j["schema_version"] = store.schemaVersion();
    j["images"] = store.imageCount();
    j["annotations"] = store.annotationCount();
    j["images_by_status"] = nlohmann::json::object();
    for (const auto& [status, n] : byStatus) j["images_by_status"][toString(status)] = n;
    j["classes"] = nlohmann::json::array();
    for (const LabelClass& c : classes) j["classes"].push_back({{"id", c.id}, {"name", c.name}, {"color", c.color}});
    j["tokenizers"] = nlohmann::json::array();
    for (const TokenizerModel& t : tokenizers)
        j["tokenizers"].push_back({{"id", t.id}, {"name", t.name}, {"checkpoint_sha256", t.checkpointSha256}});
    const auto damaged = store.damagedAnnotations();
    j["damaged_annotations"] = nlohmann::json::array();
    for (const DamagedAnnotation& d : damaged)
        j["damaged_annotations"].push_back({{"id", d.id}, {"image_id", d.imageId}, {"reason", d.reason}});
    if (o.json) {
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << "project      " << j["name"].get<std::string>() << "\n"
              << "file         " << j["path"].get<std::string>() << "\n"
              << "schema       v" << j["schema_version"] << "\n"
              << "images       " << j["images"] << "  (";
    bool first = true;
    for (const auto& [status, n] : byStatus) {  // workflow order, not alphabetical
        std::cout << (first ? "" : ", ") << toString(status) << " " << n;
        first = false;
    }
    std::cout << ")\n"
              << "annotations  " << j["annotations"] << "\n"
              << "classes      " << classes.size() << "\n"
              << "tokenizers   " << tokenizers.size() << "\n";
    // A damaged file is named by region, so that a user can see what is lost before exporting.
    if (!damaged.empty()) {
        std::cout << "damaged      " << damaged.size() << " annotation(s) whose stored mask no longer decodes:\n";
        for (const DamagedAnnotation& d : damaged) std::cout << "  image " << d.imageId << ": " << d.reason << "\n";
    }
}

void sample(const ProjectOptions& o) {
    const std::string path = createSampleProject(o.folder, o.count);
    std::cout << "created sample project " << path << "\n";
}

}  // namespace

void addProjectCommands(CLI::App& app) {
    auto opts = std::make_shared<ProjectOptions>();
    CLI::App* project = app.add_subcommand("project", "Create and inspect SAMTok Studio projects");
    project->require_subcommand(1);

    CLI::App* initCmd = project->add_subcommand("init", "Create a new, empty project file");
    initCmd->add_option("PATH", opts->project, "Project file to create (e.g. my.samtok)")->required();
    initCmd->add_option("--name", opts->name, "Project name (default: the file name)");
    initCmd->callback([opts] { init(*opts); });

    CLI::App* add =
        project->add_subcommand("add-images", "Add image files or folders (recursive; duplicates skipped by checksum)");
    add->add_option("PROJECT", opts->project, "Project file")->required();
    add->add_option("PATHS", opts->paths, "Image files and folders")->required();
    add->add_flag("--no-recursive", opts->noRecursive, "Do not descend into sub-folders");
    add->callback([opts] { addImagesCommand(*opts); });

    CLI::App* infoCmd = project->add_subcommand("info", "Summarise a project");
    infoCmd->add_option("PROJECT", opts->project, "Project file")->required();
    infoCmd->add_flag("--json", opts->json, "Print JSON");
    infoCmd->callback([opts] { info(*opts); });

    CLI::App* sampleCmd =
        project->add_subcommand("sample", "Render the sample project (synthetic scenes with annotations)");
    sampleCmd->add_option("FOLDER", opts->folder, "Folder to create it in")->required();
    sampleCmd->add_option("--count", opts->count, "Number of images")->check(CLI::Range(1, 1000));
    sampleCmd->callback([opts] { sample(*opts); });

    CLI::App* runtimeCmd =
        app.add_subcommand("runtime", "Show the inference runtime: LibTorch version, device, threads");
    auto threads = std::make_shared<int>(0);
    runtimeCmd->add_option("--threads", *threads, "Intra-op threads (default: all cores)");
    runtimeCmd->callback([threads] {
        runtime::configure(*threads);
        const runtime::Info i = runtime::info();
        std::cout << "libtorch " << i.libtorchVersion << "\ndevice   " << i.device << "\nthreads  " << i.threads
                  << "\n";
    });
}

}  // namespace samtok::cli
