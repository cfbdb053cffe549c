namespace CniV6.Plugin.Doctor;

/// <summary>
/// One thing <c>cniv6 doctor</c> checks on the node. A check is one file under <c>Doctor/Checks</c> plus its line in
/// <see cref="DoctorChecks.All"/>; it reads (never changes) the node through <see cref="DoctorContext"/> and returns
/// one finding or several (one per family, pool or interface).
/// </summary>
internal interface IDoctorCheck
{
    /// <summary>The name in the report's first column.</summary>
    string Name { get; }

    IEnumerable<DoctorFinding> Run(DoctorContext context);
}
