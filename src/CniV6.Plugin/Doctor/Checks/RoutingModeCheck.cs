using CniV6.Plugin.Doctor.Routing;

namespace CniV6.Plugin.Doctor.Checks;

/// <summary>
/// Routing-mode health: which mode cniv6-agent installed in this network namespace (its record
/// <c>&lt;run dir&gt;/agent/routing-mode.&lt;netns cookie&gt;</c>), then that mode's own check
/// (<see cref="IRoutingModeHealth"/>). A node without the agent has no record and nothing to check.
/// </summary>
internal sealed class RoutingModeCheck(IReadOnlyList<IRoutingModeHealth> healths) : IDoctorCheck
{
    public const string CheckName = "routing";

    public RoutingModeCheck()
        : this(RoutingModeHealths.All)
    {
    }

    public string Name => CheckName;

    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        string? mode;
        try
        {
            mode = context.NodeState.ReadRoutingMode();
        }
        catch (InvalidDataException e)
        {
            return [DoctorFinding.Warn(Name, $"cniv6-agent's routing mode record is unreadable: {e.Message}",
                $"rm {Cli.ShellQuote.Quote(context.NodeState.RoutingModePath)} and restart cniv6-agent")];
        }

        if (mode is null)
        {
            return [DoctorFinding.Ok(Name, $"no routing mode recorded ({context.NodeState.RoutingModePath}): no cniv6-agent in this network namespace")];
        }

        if (RoutingModeHealths.For(mode, healths) is not { } health)
        {
            return [DoctorFinding.Warn(Name, $"cniv6-agent installed routing mode '{mode}', which this doctor does not know",
                "run the doctor of the cniv6 release the agent belongs to (cniv6-agent installs its plugin into the bin dir)")];
        }

        return health.Check(mode, context);
    }
}
