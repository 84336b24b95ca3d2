using OpsTools.Engine.Images;

namespace OpsTools.Engine.Tests.Images;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.log", "debug.log", true)]
    [InlineData("*.log", "logs/debug.log", false)]
    [InlineData("**/*.log", "logs/deep/debug.log", true)]
    [InlineData("**/*.log", "debug.log", true)]
    [InlineData("node_modules", "node_modules/x/index.js", true)]
    [InlineData("/build", "build/out.o", true)]
    [InlineData("./build", "build", true)]
    [InlineData("tmp?", "tmp1", true)]
    [InlineData("tmp?", "tmp/x", false)]
    [InlineData("[a-c].txt", "b.txt", true)]
    [InlineData("[!a-c].txt", "b.txt", false)]
    [InlineData("docs/**/draft*", "docs/a/b/draft-1.md", true)]
    public void Patterns_match_with_the_cli_rules(string pattern, string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Parse(new[] { pattern }).IsExcluded(path));
    }

    [Fact]
    public void The_last_matching_rule_wins_and_re_includes_reach_inside_excluded_directories()
    {
        DockerIgnore rules = DockerIgnore.Parse(new[] { "# comment", "", "secrets", "!secrets/public.pem", "secrets/public.pem.bak" });

        Assert.True(rules.IsExcluded("secrets/key.pem"));
        Assert.False(rules.IsExcluded("secrets/public.pem"));
        Assert.True(rules.IsExcluded("secrets/public.pem.bak"));
        Assert.True(rules.HasExclusions);
        Assert.False(rules.IsExcluded("src/main.c"));
    }
}
