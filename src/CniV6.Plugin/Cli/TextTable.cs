using System.Text;

namespace CniV6.Plugin.Cli;

/// <summary>Left-aligned columns separated by two spaces, like kubectl's tables; the last column is never padded.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = new int[headers.Count];
        foreach (var row in rows.Prepend(headers))
        {
            for (var i = 0; i < headers.Count; i++)
            {
                widths[i] = Math.Max(widths[i], Cell(row, i).Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in rows.Prepend(headers))
        {
            var line = new StringBuilder();
            for (var i = 0; i < headers.Count; i++)
            {
                line.Append(i == headers.Count - 1 ? Cell(row, i) : Cell(row, i).PadRight(widths[i] + 2));
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    private static string Cell(IReadOnlyList<string> row, int index) => index < row.Count ? row[index] : "";
}
