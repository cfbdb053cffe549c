namespace CniV6.Plugin.Doctor;

/// <summary>One line of the doctor's report: which check, its verdict, what it saw, and the command that fixes it.</summary>
/// <param name="Check">The check's name, e.g. <c>forwarding</c>.</param>
/// <param name="Found">What was found, in a few words a person can act on.</param>
/// <param name="Fix">The exact command (or edit) that repairs it; null when nothing needs fixing.</param>
internal sealed record DoctorFinding(string Check, DoctorStatus Status, string Found, string? Fix = null)
{
    public static DoctorFinding Ok(string check, string found) => new(check, DoctorStatus.Ok, found);

    public static DoctorFinding Warn(string check, string found, string? fix) => new(check, DoctorStatus.Warn, found, fix);

    public static DoctorFinding Fail(string check, string found, string? fix) => new(check, DoctorStatus.Fail, found, fix);
}
