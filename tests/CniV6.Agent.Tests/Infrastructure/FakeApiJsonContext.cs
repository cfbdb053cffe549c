using System.Text.Json.Serialization;

namespace CniV6.Agent.Tests.Infrastructure;

[JsonSerializable(typeof(string))]
internal sealed partial class FakeApiJsonContext : JsonSerializerContext;
