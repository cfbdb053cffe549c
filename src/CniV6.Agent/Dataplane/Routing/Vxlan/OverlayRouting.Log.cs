using System.Net;
using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.Vxlan;

internal sealed partial class OverlayRouting
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Created {Device}: VNI {Vni}, local {Local}, UDP port {Port}, MAC {Mac}, MTU {Mtu}")]
    private partial void LogDeviceCreated(string device, uint vni, IPAddress local, ushort port, MacText mac, int mtu);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{Device} did not have the wanted settings; re-creating it")]
    private partial void LogDeviceReplaced(string device);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Removed {Device} (no peer is reached over its underlay family)")]
    private partial void LogDeviceRemoved(string device);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "{Device} MTU {From} -> {To}")]
    private partial void LogDeviceMtuChanged(string device, int from, int to);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information, Message = "{Device}: FDB {Mac} -> {Destination}")]
    private partial void LogFdbSet(string device, MacText mac, IPAddress destination);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "{Device}: FDB {Mac} -> {Destination} removed")]
    private partial void LogFdbRemoved(string device, MacText mac, IPAddress destination);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "{Device}: neighbour {Address} -> {Mac}")]
    private partial void LogNeighborSet(string device, IPAddress address, MacText mac);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "{Device}: neighbour {Address} removed")]
    private partial void LogNeighborRemoved(string device, IPAddress address);

    [LoggerMessage(EventId = 408, Level = LogLevel.Information, Message = "Route {Destination} via {Gateway} dev {Device} (onlink {OnLink}) installed")]
    private partial void LogRouteSet(IPNetwork destination, IPAddress gateway, DeviceText device, bool onLink);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Route {Destination} via {Gateway} dev {Device} removed")]
    private partial void LogRouteRemoved(IPNetwork destination, IPAddress gateway, DeviceText device);

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "No route for {Reason}")]
    private partial void LogUnroutable(string reason);
}
