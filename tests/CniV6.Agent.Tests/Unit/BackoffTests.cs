namespace CniV6.Agent.Tests.Unit;

public class BackoffTests
{
    [Fact]
    public void Doubles_up_to_the_maximum_with_jitter_below_the_nominal_delay()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), new Random(7));
        double[] nominal = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];

        foreach (var expected in nominal)
        {
            var delay = backoff.NextDelay().TotalMilliseconds;
            Assert.InRange(delay, expected * 0.8, expected);
        }
    }

    [Fact]
    public void Reset_starts_over_at_the_initial_delay()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(1));
        for (var i = 0; i < 6; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();

        Assert.InRange(backoff.NextDelay().TotalMilliseconds, 800, 1000);
    }

    [Fact]
    public void Never_overflows_after_many_failures()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.InRange(backoff.NextDelay().TotalSeconds, 0.4, 30);
        }
    }
}
