using CniV6.Linux;

namespace CniV6.UnitTests.Linux;

public sealed class InterfaceNameTests
{
    [Theory]
    [InlineData("eth0")]
    [InlineData("e")]
    [InlineData("net1")]
    [InlineData("eth0123456789ab")] // 15 bytes, the most IFNAMSIZ holds
    [InlineData("veth-a.b_c@1!~")]
    [InlineData("...")]
    public void Valid_names(string name)
    {
        Assert.True(InterfaceName.IsValid(name));
        Assert.Null(InterfaceName.Problem(name));
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("eth0123456789abc", "longer than 15 bytes")] // 16 bytes
    [InlineData("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", "longer than 15 bytes")] // 8 characters, 16 bytes
    [InlineData(".", ". or ..")]
    [InlineData("..", ". or ..")]
    [InlineData("a/b", "/ or : or whitespace")]
    [InlineData("a:b", "/ or : or whitespace")]
    [InlineData("a b", "/ or : or whitespace")]
    [InlineData("a\tb", "/ or : or whitespace")]
    [InlineData("eth0\n", "/ or : or whitespace")] // trailing newline
    [InlineData("eth\u00e9", "printable ASCII")] // non-ASCII, 5 bytes
    [InlineData("eth\u00a0", "/ or : or whitespace")] // a non-ASCII space
    [InlineData("eth\u0001", "printable ASCII")] // control character
    [InlineData("eth\u007f", "printable ASCII")] // DEL
    [InlineData("eth\0", "printable ASCII")]
    public void Invalid_names_name_their_problem(string? name, string problem)
    {
        Assert.False(InterfaceName.IsValid(name));
        Assert.Contains(problem, InterfaceName.Problem(name), StringComparison.Ordinal);
    }
}
