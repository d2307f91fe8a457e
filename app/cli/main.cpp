// samtok: the headless command line over SAMTok Studio's core.
// Exit codes: 0 success, 1 user error (one-line reason on stderr), 2 internal error.
#include "cli/Commands.h"
#include "checkpoint/CheckpointError.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

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
        std::fprintf(stderr, "samtok: %s\n", e.what());
        std::fprintf(stderr, "Run with --help for usage.\n");
        return 1;
    } catch (const samtok::UserError& e) {
        std::fprintf(stderr, "samtok: %s\n", e.what());
        return 1;
    } catch (const samtok::StoreError& e) {
        std::fprintf(stderr, "samtok: %s\n", e.what());
        return 1;
    } catch (const samtok::checkpoint::CheckpointError& e) {  // a damaged, hostile or mismatched model file
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
