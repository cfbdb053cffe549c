namespace CniV6.Agent.Dataplane.Routing.Bgp;

/// <summary>
/// One reply on BIRD's control socket: lines of a four-digit code, then '-' (more follows) or ' ' (the last line),
/// then text; a line starting with a space continues the previous code. Codes 8000 and up are errors (BIRD's
/// <c>doc/reply_codes</c>): 8xxx a runtime error, 9xxx a parse error of the command.
/// </summary>
internal sealed record BirdReply(IReadOnlyList<BirdReplyLine> Lines)
{
    public int FinalCode => Lines.Count == 0 ? -1 : Lines[^1].Code;

    public bool IsError => Lines.Any(l => l.Code >= 8000);

    public string Text => string.Join('\n', Lines.Select(l => l.Text.TrimEnd()));

    /// <summary>
    /// Reads one reply from <paramref name="next"/> (a line reader that returns null at the end of the stream).
    /// Throws <see cref="BirdControlException"/> on a malformed line or a stream that ends mid-reply.
    /// </summary>
    public static BirdReply Read(Func<string?> next)
    {
        var lines = new List<BirdReplyLine>();
        var code = -1;
        for (var count = 0; count < 100_000; count++)
        {
            var line = next() ?? throw new BirdControlException("BIRD closed the control socket in the middle of a reply");
            if (line.StartsWith(' '))
            {
                if (code < 0)
                {
                    throw new BirdControlException($"BIRD's reply starts with a continuation line: \"{line}\"");
                }

                lines.Add(new BirdReplyLine(code, line[1..]));
                continue;
            }

            if (line.Length < 5 || !int.TryParse(line.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out code)
                || line[4] is not ('-' or ' '))
            {
                throw new BirdControlException($"not a BIRD reply line: \"{line}\"");
            }

            lines.Add(new BirdReplyLine(code, line[5..]));
            if (line[4] == ' ')
            {
                return new BirdReply(lines);
            }
        }

        throw new BirdControlException("BIRD's reply has no end");
    }
}

/// <summary>One line of a <see cref="BirdReply"/>.</summary>
internal sealed record BirdReplyLine(int Code, string Text);
