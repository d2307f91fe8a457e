// What a desktop needs to open a double-clicked project in the studio: the MIME type of *.samtok, a launcher
// that handles it and takes the file, and AppStream metainfo naming that launcher.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace {

std::string slurp(const std::string& name) {
    std::ifstream in(std::string(SAMTOK_SOURCE_DIR) + "/packaging/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The [Desktop Entry] group as key -> value.
std::map<std::string, std::string> desktopEntry(const std::string& text) {
    std::map<std::string, std::string> keys;
    std::istringstream in(text);
    std::string line, group;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            group = line;
            continue;
        }
        const auto eq = line.find('=');
        if (group == "[Desktop Entry]" && eq != std::string::npos) keys[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return keys;
}

}  // namespace

TEST(Packaging, TheLauncherOpensProjectsOfTheMimeTypeThatNamesSamtokFiles) {
    const auto entry = desktopEntry(slurp("samtok-studio.desktop"));
    EXPECT_EQ(entry.at("Type"), "Application");
    EXPECT_EQ(entry.at("Exec").rfind("samtok-studio ", 0), 0u);
    EXPECT_NE(entry.at("Exec").find("%f"), std::string::npos);  // the double-clicked file is passed
    EXPECT_NE(entry.at("MimeType").find("application/x-samtok-project;"), std::string::npos);
    EXPECT_NE(entry.at("Categories").find("Graphics;"), std::string::npos);

    const std::string mime = slurp("samtok-studio.xml");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(mime, m, std::regex(R"re(<mime-type type="([^"]+)">)re")));
    EXPECT_EQ(m[1], "application/x-samtok-project");
    EXPECT_NE(mime.find(R"(<glob pattern="*.samtok"/>)"), std::string::npos);
    EXPECT_NE(mime.find(R"(xmlns="http://www.freedesktop.org/standards/shared-mime-info")"), std::string::npos);
}

TEST(Packaging, TheMetainfoNamesTheLauncherTheBinariesAndTheProjectType) {
    const std::string meta = slurp("samtok-studio.metainfo.xml");
    EXPECT_NE(meta.find(R"(<launchable type="desktop-id">samtok-studio.desktop</launchable>)"), std::string::npos);
    EXPECT_NE(meta.find("<binary>samtok-studio</binary>"), std::string::npos);
    EXPECT_NE(meta.find("<binary>samtok</binary>"), std::string::npos);
    EXPECT_NE(meta.find("<mediatype>application/x-samtok-project</mediatype>"), std::string::npos);
    EXPECT_NE(meta.find("<metadata_license>"), std::string::npos);
}

TEST(Packaging, BashCompletionAsksTheProgramForItsSubcommandsAndOptions) {
    const std::string c = slurp("samtok.bash-completion");
    EXPECT_NE(c.find("complete -F _samtok samtok"), std::string::npos);
    EXPECT_NE(c.find("--help"), std::string::npos);
    if (std::system("bash -n " SAMTOK_SOURCE_DIR "/packaging/samtok.bash-completion") != 0) ADD_FAILURE();
}
