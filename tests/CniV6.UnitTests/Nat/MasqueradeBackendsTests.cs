using CniV6.Core.Nat;

namespace CniV6.UnitTests.Nat;

/// <summary>The node's backend choice and its record, without touching any packet filter (no iptables detection runs).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MasqueradeBackendsTests : IDisposable
{
    private const string Missing = "libnftables-absent.so.1";
    private readonly string directory = Directory.CreateTempSubdirectory("cniv6-natrecord-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Auto_records_nftables_when_the_library_loads_and_the_kernel_answers()
    {
        NatBackendRecord record = Record(7);

        Assert.Equal(NatBackendRecord.Nftables, MasqueradeBackends.Choose(NatBackendPreference.Auto, record, LibNftables.Library, () => true));
        Assert.Equal(NatBackendRecord.Nftables, record.Read());
        Assert.Equal(NatBackendRecord.Nftables, MasqueradeBackends.Choose(NatBackendPreference.Auto, record, LibNftables.Library, () => throw new InvalidOperationException("asked twice")));
    }

    [Fact]
    public void A_recorded_iptables_choice_stands_while_nftables_stays_unusable()
    {
        NatBackendRecord record = Record(8);
        record.Write(NatBackendRecord.IptablesLegacy);

        Assert.Equal(NatBackendRecord.IptablesLegacy, MasqueradeBackends.Choose(NatBackendPreference.Auto, record, Missing, () => true));
        Assert.Equal(NatBackendRecord.IptablesLegacy, MasqueradeBackends.Choose(NatBackendPreference.Auto, record, LibNftables.Library, () => false));
    }

    [Fact]
    public void A_recorded_iptables_choice_moves_to_nftables_once_it_becomes_usable()
    {
        NatBackendRecord record = Record(9);
        record.Write(NatBackendRecord.IptablesNft);

        Assert.Equal(NatBackendRecord.Nftables, MasqueradeBackends.Choose(NatBackendPreference.Auto, record, LibNftables.Library, () => true));
        Assert.Equal(NatBackendRecord.Nftables, record.Read());
    }

    [Fact]
    public void Forcing_nftables_wins_over_the_record_even_without_the_library()
    {
        NatBackendRecord record = Record(10);
        record.Write(NatBackendRecord.IptablesNft);

        Assert.Equal(NatBackendRecord.Nftables, MasqueradeBackends.Choose(NatBackendPreference.Nftables, record, Missing, () => false));
        Assert.Equal(NatBackendRecord.Nftables, record.Read());
    }

    [Fact]
    public void Forcing_iptables_keeps_a_recorded_iptables_variant()
    {
        NatBackendRecord record = Record(11);
        record.Write(NatBackendRecord.IptablesLegacy);

        Assert.Equal(NatBackendRecord.IptablesLegacy, MasqueradeBackends.Choose(NatBackendPreference.Iptables, record, LibNftables.Library, () => true));
    }

    [Fact]
    public void Records_are_per_namespace_and_unknown_content_is_not_trusted()
    {
        Record(12).Write(NatBackendRecord.Nftables);
        Assert.Null(Record(13).Read());

        File.WriteAllText(Path.Combine(directory, "backend-14"), "something else\n");
        Assert.Null(Record(14).Read());
        Assert.Null(new NatBackendRecord(directory, () => null).Read());
    }

    [Fact]
    public void A_record_in_a_directory_others_may_write_is_not_trusted()
    {
        Record(15).Write(NatBackendRecord.Nftables);
        File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);

        Assert.Null(Record(15).Read());
    }

    [Theory]
    [InlineData("auto", NatBackendPreference.Auto)]
    [InlineData("nftables", NatBackendPreference.Nftables)]
    [InlineData("iptables", NatBackendPreference.Iptables)]
    public void Preferences_round_trip_their_spelling(string text, NatBackendPreference preference)
    {
        Assert.True(NatBackendPreferences.TryParse(text, out NatBackendPreference parsed));
        Assert.Equal(preference, parsed);
        Assert.Equal(text, NatBackendPreferences.Format(preference));
        Assert.False(NatBackendPreferences.TryParse("nft", out _));
    }

    private NatBackendRecord Record(ulong cookie) => new(directory, () => cookie);
}
