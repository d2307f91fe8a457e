#pragma once
// `samtok-studio --measure`: a scripted session on the open project that
// reports what a user feels: the next image appearing, click to candidate with
// the embedding cached, clicks while the project is being tokenized, and the
// longest stall of the UI thread meanwhile. Prints JSON.
#include <QString>

namespace samtok::ui {

class MainWindow;
class ProjectSession;

// Returns the JSON text; an error string when the session cannot run.
QString measureStudio(MainWindow& window, ProjectSession& session);

}  // namespace samtok::ui
