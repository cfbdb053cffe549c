namespace CniV6.E2ETests.Infrastructure;

/// <summary>The CNI_* environment a runtime sets when it executes a plugin (CNI SPEC "Parameters").</summary>
internal static class CniEnvironment
{
    /// <summary>Environment for ADD/CHECK/DEL of <paramref name="pod"/> (netns left out when it is gone, as DEL allows).</summary>
    public static Dictionary<string, string> ForAttachment(string command, PodSandbox pod)
    {
        Dictionary<string, string> env = ForCommand(command);
        env["CNI_CONTAINERID"] = pod.ContainerId;
        env["CNI_IFNAME"] = pod.IfName;
        env["CNI_ARGS"] = $"IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod-{pod.ContainerId}";
        if (pod.Namespace.Exists)
        {
            env["CNI_NETNS"] = pod.Namespace.Path;
        }

        return env;
    }

    /// <summary>Environment for commands without an attachment (VERSION, STATUS, GC).</summary>
    public static Dictionary<string, string> ForCommand(string command) => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_PATH"] = RepoLayout.PluginPath,
    };
}
