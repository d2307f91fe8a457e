// samtok: the headless command line over SAMTok Studio's core.
// Exit codes: 0 success, 1 user error (one-line reason on stderr), 2 internal error.
#include "checkpoint/CheckpointError.h"
#include "cli/Commands.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace {

// The deepest command the arguments reached ("samtok project init"): its help
// is the one a user who got it wrong needs.
const CLI::App* reachedCommand(const CLI::App& app) {
    const CLI::App* at = &app;
    for (auto parsed = at->get_subcommands(); !parsed.empty(); parsed = at->get_subcommands()) at = parsed.front();
    return at;
}

std::string commandPath(const CLI::App* command) {
    std::string path;
    for (; command; command = command->get_parent())
        path = (command->get_parent() ? command->get_name() : std::string("samtok")) + (path.empty() ? "" : " ") + path;
    return path;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"samtok: turn image regions into SAMTok mask tokens, and manage SAMTok Studio projects"};
    app.set_version_flag("--version", std::string("samtok ") + SAMTOK_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    samtok::cli::addProjectCommands(app);
    samtok::cli::addMaskCommands(app);
    samtok::cli::addTokenCommands(app);
    samtok::cli::addTrainCommands(app);
    samtok::cli::addEvalCommands(app);
    samtok::cli::addDatasetCommands(app);
    samtok::cli::addExportCommands(app);
    samtok::cli::addRegionCommands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const CLI::App* command = reachedCommand(app);
        std::fprintf(stderr, "samtok: %s\n", e.what());
        if (command->get_subcommands().empty() && !command->get_subcommands({}).empty()) {
            // A command that needs a subcommand and got none: list them, as its help does.
            std::fprintf(stderr, "\n%s", command->help().c_str());
        } else {
            std::fprintf(stderr, "Run '%s --help' for usage.\n", commandPath(command).c_str());
        }
        return 1;
    } catch (const samtok::UserError& e) {  // also a damaged, hostile or mismatched model file (CheckpointError)
        std::fprintf(stderr, "samtok: %s\n", e.what());
        return 1;
    } catch (const samtok::StoreError& e) {
        std::fprintf(stderr, "samtok: %s\n", e.what());
        return 1;
    } catch (const std::invalid_argument& e) {  // bad values reaching the core (codes, devices, configs)
        std::fprintf(stderr, "samtok: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "samtok: internal error: %s\n", e.what());
        return 2;
    }
    return 0;
}
