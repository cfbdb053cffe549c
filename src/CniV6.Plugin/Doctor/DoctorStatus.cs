namespace CniV6.Plugin.Doctor;

/// <summary>How a finding rates the node: <see cref="Fail"/> breaks pods (doctor exits 1), <see cref="Warn"/> is a trap or a leak.</summary>
internal enum DoctorStatus
{
    Ok,
    Warn,
    Fail,
}
