using System.Text;
using CniV6.Agent.Health;

namespace CniV6.Agent.Tests.Unit;

/// <summary>The health endpoint's HTTP framing: request heads as probes, scrapers and curl send them; complete responses.</summary>
public sealed class HealthHttpTests
{
    [Theory]
    [InlineData("GET /readyz HTTP/1.1\r\nHost: [fd00::1]:9646\r\nUser-Agent: kube-probe/1.31\r\n\r\n", "GET", "/readyz")]
    [InlineData("GET /metrics?name[]=x HTTP/1.1\r\nHost: 10.0.0.1:9646\r\nAccept: text/plain\r\n\r\n", "GET", "/metrics")]
    [InlineData("HEAD /healthz HTTP/1.0\r\n\r\n", "HEAD", "/healthz")]
    [InlineData("GET /readyz HTTP/1.0\n\n", "GET", "/readyz")]
    public void A_complete_get_or_head_is_parsed_to_its_path(string request, string method, string path)
    {
        var bytes = Encoding.ASCII.GetBytes(request);

        var length = HealthHttp.HeadLength(bytes);
        var parsed = HealthHttp.ParseRequestLine(bytes.AsSpan(0, length));

        Assert.Equal(bytes.Length, length);
        Assert.Equal((method, path, (int?)null), parsed);
    }

    [Fact]
    public void An_incomplete_head_is_not_parsed_yet()
    {
        Assert.Equal(-1, HealthHttp.HeadLength("GET /readyz HTTP/1.1\r\nHost: x\r\n"u8));
    }

    [Theory]
    [InlineData("POST /readyz HTTP/1.1\r\n\r\n", 405)]
    [InlineData("GET /readyz HTTP/2.0\r\n\r\n", 505)]
    [InlineData("GET readyz HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET /readyz\r\n\r\n", 400)]
    [InlineData("\r\n\r\n", 400)]
    public void Anything_else_is_refused_with_its_status(string request, int status)
    {
        Assert.Equal(status, HealthHttp.ParseRequestLine(Encoding.ASCII.GetBytes(request)).Refusal);
    }

    [Fact]
    public void A_response_is_complete_and_closes_the_connection_and_head_has_no_body()
    {
        var get = Encoding.UTF8.GetString(HealthHttp.Response(503, "text/plain", "not synced yet\n", headOnly: false));
        var head = Encoding.UTF8.GetString(HealthHttp.Response(200, "text/plain", "ok\n", headOnly: true));

        Assert.Equal("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 15\r\nConnection: close\r\n\r\nnot synced yet\n", get);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n", head);
    }
}
