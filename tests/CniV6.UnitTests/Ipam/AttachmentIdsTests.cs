using CniV6.Core.Ipam;

namespace CniV6.UnitTests.Ipam;

/// <summary>The container-id rule has the semantics of libcni's Go regex <c>^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$</c>, whose <c>$</c> (unlike .NET's) never matches before a trailing newline.</summary>
public sealed class AttachmentIdsTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("3f2a9c1b7d")]
    [InlineData("Pod_1.2-x")]
    [InlineData("0-")]
    public void Valid_container_ids(string id)
    {
        Assert.True(AttachmentIds.IsValidContainerId(id));
        Assert.True(AttachmentIds.IsValidNetworkName(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc\n")] // .NET's $ would match before this newline; Go's does not
    [InlineData("abc\r\n")]
    [InlineData("\nabc")]
    [InlineData("-rf")]
    [InlineData("_a")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../etc")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("caf\u00e9")] // non-ASCII letter
    [InlineData("\u0661")] // ARABIC-INDIC DIGIT ONE: a digit to char.IsDigit, not to the rule
    [InlineData("a\u0001")]
    [InlineData("a\0")]
    public void Invalid_container_ids(string? id)
    {
        Assert.False(AttachmentIds.IsValidContainerId(id));
        Assert.False(AttachmentIds.IsValidNetworkName(id));
    }
}
