using System.Text.Json;
using CniV6.Plugin.Cli;

namespace CniV6.Plugin.Doctor;

/// <summary>The findings as a table for people (check, status, found, fix) or as JSON for machines.</summary>
internal static class DoctorReport
{
    public static string Table(IReadOnlyList<DoctorFinding> findings)
    {
        var table = TextTable.Render(
            ["CHECK", "STATUS", "FOUND", "FIX"],
            [.. findings.Select(f => (IReadOnlyList<string>)[f.Check, StatusText(f.Status), f.Found, f.Fix ?? ""])]);
        return table + Summary(findings) + "\n";
    }

    public static string Json(IReadOnlyList<DoctorFinding> findings)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("result", StatusText(Worst(findings)));
            writer.WriteStartArray("checks");
            foreach (var finding in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("check", finding.Check);
                writer.WriteString("status", StatusText(finding.Status));
                writer.WriteString("found", finding.Found);
                if (finding.Fix is not null)
                {
                    writer.WriteString("fix", finding.Fix);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    public static DoctorStatus Worst(IReadOnlyList<DoctorFinding> findings) =>
        findings.Count == 0 ? DoctorStatus.Ok : findings.Max(f => f.Status);

    public static string StatusText(DoctorStatus status) => status switch
    {
        DoctorStatus.Ok => "ok",
        DoctorStatus.Warn => "warn",
        _ => "fail",
    };

    private static string Summary(IReadOnlyList<DoctorFinding> findings)
    {
        int Count(DoctorStatus status) => findings.Count(f => f.Status == status);
        return $"\n{Count(DoctorStatus.Ok)} ok, {Count(DoctorStatus.Warn)} warn, {Count(DoctorStatus.Fail)} fail";
    }
}
