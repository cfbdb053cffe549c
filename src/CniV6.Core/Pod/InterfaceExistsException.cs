namespace CniV6.Core.Pod;

/// <summary>ADD found an interface of the requested name in the pod that is not one of ours.</summary>
public sealed class InterfaceExistsException(string ifName)
    : Exception($"interface {ifName} already exists in the pod network namespace")
{
    public string IfName { get; } = ifName;
}
