using Microsoft.Extensions.Logging;

namespace CniV6.Agent.Dataplane.Routing.HostGateway;

internal sealed partial class HostGatewayMode
{
    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Route {Route} installed")]
    private partial void LogRouteReplaced(RouteText route);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Route {Route} removed")]
    private partial void LogRouteDeleted(RouteText route);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "No route for {Reason}")]
    private partial void LogUnroutable(string reason);

    [LoggerMessage(EventId = 710, Level = LogLevel.Warning,
        Message = "Could not {Action} route {Route}: {Error}; the other routes go ahead (logged again only when the error changes)")]
    private partial void LogRouteFailed(string action, RouteText route, string error);
}
