namespace CniV6.E2ETests.Hostile;

/// <summary>
/// One row of the hostile-input table: the command, what the plugin must answer (CNI error code and a part of
/// the message that names the problem), and optional setup. <see cref="Prepare"/> runs before the bystander pod
/// is attached (it shapes the configuration both use); <see cref="Arrange"/> runs after, just before the snapshot.
/// </summary>
internal sealed record HostileCase(
    string Name,
    string Command,
    int Code,
    string Message,
    Action<HostileSetup>? Prepare = null,
    Action<HostileSetup>? Arrange = null)
{
    public override string ToString() => Name;
}
