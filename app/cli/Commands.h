#pragma once
// Each command group registers its subcommands on the CLI11 app.
namespace CLI {
class App;
}

namespace samtok::cli {

void addProjectCommands(CLI::App& app);
void addMaskCommands(CLI::App& app);
void addTokenCommands(CLI::App& app);
void addTrainCommands(CLI::App& app);
void addEvalCommands(CLI::App& app);
void addDatasetCommands(CLI::App& app);
void addExportCommands(CLI::App& app);
void addRegionCommands(CLI::App& app);

}  // namespace samtok::cli
