using CniV6.Core.Hashing;

namespace CniV6.UnitTests.Hashing;

public sealed class Sha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Matches_the_fips_180_test_vectors(string text, string expected) =>
        Assert.Equal(expected, Sha256.HexOf(text));

    [Fact]
    public void Matches_the_platform_implementation_at_every_length_around_the_block_boundaries()
    {
        var random = new Random(6);
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(data), Sha256.Hash(data));
        }
    }

    [Fact]
    public void Names_derived_from_it_are_what_sha256sum_gives()
    {
        // echo -n podnet | sha256sum → 3aa0627f…
        Assert.StartsWith("3aa0627f", Sha256.HexOf("podnet"), StringComparison.Ordinal);
    }
}
