using System.Runtime.Versioning;
using CniV6.Plugin.Cli;

namespace CniV6.UnitTests.Cli;

[SupportedOSPlatform("linux")]
public sealed class CliArgumentsTests
{
    private static readonly ICliVerb Verb = new IpamVerb();

    [Fact]
    public void Options_take_the_next_word_or_the_text_after_the_equals_sign()
    {
        var parsed = CliArguments.Parse(Verb, ["list", "--conf-dir", "/tmp/net.d", "--network=podnet", "--json"], ["--json"], 2, ["--conf-dir", "--network"]);

        Assert.Equal("/tmp/net.d", parsed.Value("--conf-dir"));
        Assert.Equal("podnet", parsed.Value("--network"));
        Assert.Null(parsed.Value("--data-dir"));
        Assert.True(parsed.Has("--json"));
        Assert.Equal(["list"], parsed.Positionals);
    }

    [Theory]
    [InlineData("option '--network' needs a value", "--network")]
    [InlineData("option '--network' needs a value", "--network=")]
    [InlineData("option '--network' given twice", "--network", "a", "--network", "b")]
    [InlineData("unknown option '--data-dir' for 'ipam'", "--data-dir", "/x")]
    public void A_missing_value_a_repeated_or_an_undeclared_option_is_a_usage_error(string message, params string[] arguments)
    {
        var e = Assert.Throws<CliUsageException>(() => CliArguments.Parse(Verb, arguments, [], 2, ["--network"]));

        Assert.Equal(message, e.Message);
        Assert.Same(Verb, e.Verb);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(75, "75s")]
    [InlineData(5 * 60 + 3, "5m3s")]
    [InlineData(42 * 60, "42m")]
    [InlineData(5 * 3600 + 120, "5h2m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 7200, "3d2h")]
    [InlineData(40 * 86400, "40d")]
    public void Ages_print_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, AgeText.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("/etc/cni/net.d", "/etc/cni/net.d")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("a b", "'a b'")]
    [InlineData("", "''")]
    public void Shell_quoting_leaves_plain_words_alone(string word, string expected) =>
        Assert.Equal(expected, ShellQuote.Quote(word));

    [Fact]
    public void Tables_pad_every_column_but_the_last()
    {
        string table = TextTable.Render(["A", "BB", "C"], [["xxx", "y", "z z"], ["", "yyyy", ""]]);

        Assert.Equal("A    BB    C\nxxx  y     z z\n     yyyy\n", table);
    }
}
