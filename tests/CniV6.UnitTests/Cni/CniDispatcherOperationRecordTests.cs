using System.Runtime.Versioning;
using CniV6.Core.Metrics;
using CniV6.Plugin.Cni;

namespace CniV6.UnitTests.Cni;

/// <summary>The one record per invocation that the agent's CNI metrics are built from.</summary>
[SupportedOSPlatform("linux")]
public sealed class CniDispatcherOperationRecordTests
{
    [Fact]
    public void A_successful_ADD_is_recorded_once_with_its_network_and_code_zero()
    {
        var harness = new DispatcherHarness();

        Assert.Equal(0, harness.Run(DispatcherHarness.ValidConfig).ExitCode);

        var record = Assert.Single(harness.Operations);
        Assert.Equal(CniOperationCommand.Add, record.Command);
        Assert.Equal(0, record.Code);
        Assert.Equal(CniOperationRecord.HashNetwork("pods"), record.NetworkHash);
        Assert.InRange(record.DurationMicroseconds, 0, 60_000_000);
    }

    [Fact]
    public void A_failed_DEL_is_recorded_with_the_error_code_the_runtime_got()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "DEL";
        harness.Plugin.Failure = new CniException(CniErrorCode.TryAgainLater, "busy");

        Assert.Equal(1, harness.Run(DispatcherHarness.ValidConfig).ExitCode);

        var record = Assert.Single(harness.Operations);
        Assert.Equal(CniOperationCommand.Del, record.Command);
        Assert.Equal(CniErrorCode.TryAgainLater, record.Code);
    }

    [Fact]
    public void A_crash_inside_the_plugin_is_recorded_as_code_999()
    {
        var harness = new DispatcherHarness();
        harness.Plugin.Failure = new InvalidOperationException("boom");

        harness.Run(DispatcherHarness.ValidConfig);

        Assert.Equal(CniErrorCode.Internal, Assert.Single(harness.Operations).Code);
    }

    [Fact]
    public void VERSION_and_an_unknown_command_carry_no_network()
    {
        var harness = new DispatcherHarness();
        harness.Environment["CNI_COMMAND"] = "VERSION";
        harness.Run("");
        harness.Environment["CNI_COMMAND"] = "FROB";
        harness.Run(DispatcherHarness.ValidConfig);

        Assert.Equal([CniOperationCommand.Version, CniOperationCommand.Other], harness.Operations.Select(r => r.Command));
        Assert.All(harness.Operations, r => Assert.Equal(0UL, r.NetworkHash));
        Assert.Equal(0, harness.Operations[0].Code);
        Assert.Equal(CniErrorCode.InvalidEnvironment, harness.Operations[1].Code);
    }

    [Fact]
    public void A_configuration_that_does_not_parse_is_recorded_without_a_network()
    {
        var harness = new DispatcherHarness();

        harness.Run("{not json");

        var record = Assert.Single(harness.Operations);
        Assert.Equal(CniOperationCommand.Add, record.Command);
        Assert.NotEqual(0, record.Code);
        Assert.Equal(0UL, record.NetworkHash);
    }
}
