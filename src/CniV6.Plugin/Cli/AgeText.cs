namespace CniV6.Plugin.Cli;

/// <summary>A duration the way kubectl prints an age: the largest unit that fits, two units while they still say something.</summary>
internal static class AgeText
{
    public static string Format(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            return "0s";
        }

        if (age < TimeSpan.FromMinutes(2))
        {
            return $"{(int)age.TotalSeconds}s";
        }

        if (age < TimeSpan.FromMinutes(10))
        {
            return age.Seconds == 0 ? $"{age.Minutes}m" : $"{age.Minutes}m{age.Seconds}s";
        }

        if (age < TimeSpan.FromHours(3))
        {
            return $"{(int)age.TotalMinutes}m";
        }

        if (age < TimeSpan.FromHours(8))
        {
            return age.Minutes == 0 ? $"{age.Hours}h" : $"{age.Hours}h{age.Minutes}m";
        }

        if (age < TimeSpan.FromDays(2))
        {
            return $"{(int)age.TotalHours}h";
        }

        if (age < TimeSpan.FromDays(8))
        {
            return age.Hours == 0 ? $"{age.Days}d" : $"{age.Days}d{age.Hours}h";
        }

        return $"{(int)age.TotalDays}d";
    }
}
