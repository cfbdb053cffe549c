using CniV6.Linux;
using CniV6.Plugin.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using CniV6.Core.Config;
using CniV6.Core.Metrics;

namespace CniV6.Plugin.Cni;

/// <summary>
/// The process boundary of the plugin, after libcni's skel: the only code that reads the environment and stdin,
/// writes stdout and decides the exit code. It validates the invocation, opens the configured log, builds a
/// <see cref="CniRequest"/> and calls the plugin; every failure becomes the CNI error object on stdout and exit
/// code 1. Nothing else is ever written to stdout.
/// </summary>
internal sealed partial class CniDispatcher
{
    /// <summary>Real configurations are a few KiB (prevResult included); this bounds memory for hostile input.</summary>
    public const int MaxStdinBytes = 1 << 20;

    private readonly Func<string, string?> _getEnvironmentVariable;
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private readonly Func<LogSettings, ILoggerProvider> _openLog;
    private readonly Func<ILoggerProvider, NetworkConfig, ICniPlugin> _createPlugin;
    private readonly TimeProvider _time;
    private readonly Action<CniOperationRecord>? _recordOperation;
    private ILoggerProvider? _logProvider;
    private string? _networkName;
    private ILogger _logger = NullLogger.Instance;
    private LogInvocation? _invocation;

    /// <param name="getEnvironmentVariable">Usually <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <param name="stdin">Network configuration input; read at most <see cref="MaxStdinBytes"/> + 1 bytes.</param>
    /// <param name="stdout">Receives exactly one JSON document (result, version or error) or nothing.</param>
    /// <param name="openLog">Opens the log sink for the configured settings; the dispatcher disposes it.</param>
    /// <param name="createPlugin">Creates the plugin once the request is valid, with the opened log and the parsed
    /// configuration (which chooses e.g. the IPAM implementation); the dispatcher disposes it if it is disposable.</param>
    /// <param name="recordOperation">Told every invocation's command, result code and duration once it is answered
    /// (the agent's metrics); must not throw.</param>
    public CniDispatcher(
        Func<string, string?> getEnvironmentVariable,
        Stream stdin,
        Stream stdout,
        Func<LogSettings, ILoggerProvider> openLog,
        Func<ILoggerProvider, NetworkConfig, ICniPlugin> createPlugin,
        TimeProvider? time = null,
        Action<CniOperationRecord>? recordOperation = null)
    {
        _getEnvironmentVariable = getEnvironmentVariable;
        _stdin = stdin;
        _stdout = stdout;
        _openLog = openLog;
        _createPlugin = createPlugin;
        _time = time ?? TimeProvider.System;
        _recordOperation = recordOperation;
    }

    /// <summary>Handles one invocation; returns the process exit code (0 success, 1 error).</summary>
    public int Run()
    {
        var started = _time.GetTimestamp();
        var command = _getEnvironmentVariable(CniEnvironment.CommandVariable);
        _invocation = LogInvocation.FromEnvironment(_getEnvironmentVariable);
        byte[]? config = null;
        var code = 0;
        try
        {
            switch (command)
            {
                case null or "":
                    throw new CniException(CniErrorCode.InvalidEnvironment, $"required env variables [{CniEnvironment.CommandVariable}] missing");
                case CniCommand.Version:
                    WriteVersion();
                    return 0;
                case CniCommand.Add or CniCommand.Del or CniCommand.Check or CniCommand.Gc or CniCommand.Status:
                    var environment = CniEnvironment.Read(command, _getEnvironmentVariable);
                    config = ReadStdin();
                    Execute(environment, config, started);
                    return 0;
                default:
                    throw new CniException(
                        CniErrorCode.InvalidEnvironment,
                        $"unknown {CniEnvironment.CommandVariable}: {NetworkConfigParser.Truncate(command)}",
                        "expected ADD, DEL, CHECK, GC, STATUS or VERSION");
            }
        }
        catch (CniException e)
        {
            code = e.Code;
            var elapsed = ElapsedMicroseconds(started);
            EnsureLogOpen(null);
            LogCommandFailed(command ?? "", elapsed, e.Code, e.Message, e.Details, e.InnerException);
            WriteError(ResponseVersion(config), e.Code, e.Message, e.Details);
            return 1;
        }
        catch (Exception e)
        {
            code = CniErrorCode.Internal;
            var elapsed = ElapsedMicroseconds(started);
            EnsureLogOpen(null);
            LogCommandCrashed(command ?? "", elapsed, e);
            WriteError(ResponseVersion(config), CniErrorCode.Internal, e.Message, e.GetType().FullName ?? "");
            return 1;
        }
        finally
        {
            _logProvider?.Dispose();
            _logProvider = null;
            _recordOperation?.Invoke(new CniOperationRecord(
                CommandOf(command), code, CniOperationRecord.HashNetwork(_networkName), ElapsedMicroseconds(started), _time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    private static CniOperationCommand CommandOf(string? command) => command switch
    {
        CniCommand.Add => CniOperationCommand.Add,
        CniCommand.Del => CniOperationCommand.Del,
        CniCommand.Check => CniOperationCommand.Check,
        CniCommand.Gc => CniOperationCommand.Gc,
        CniCommand.Status => CniOperationCommand.Status,
        CniCommand.Version => CniOperationCommand.Version,
        _ => CniOperationCommand.Other,
    };

    private void Execute(CniEnvironment environment, byte[] stdinBytes, long started)
    {
        var config = ParseConfig(stdinBytes, environment.Command);
        _networkName = config.Name;
        EnsureLogOpen(config);
        if (environment.Command is not (CniCommand.Gc or CniCommand.Status) && environment.NetNs is { } netNs && NetNamespace.IsCurrent(netNs))
        {
            throw new CniException(
                CniErrorCode.InvalidNetNs,
                $"plugin's netns and netns from {CniEnvironment.NetNsVariable} should not be the same",
                netNs);
        }

        LogCommandStarted(environment.Command, config.Name, config.CniVersion, environment.ContainerId, environment.IfName, environment.NetNs ?? "");

        var request = new CniRequest(
            environment.Command,
            environment.ContainerId,
            environment.NetNs,
            environment.IfName,
            environment.Args,
            environment.Path,
            config,
            stdinBytes);
        var plugin = _createPlugin(_logProvider!, config);
        using var disposablePlugin = plugin as IDisposable;
        switch (environment.Command)
        {
            case CniCommand.Add:
                var result = plugin.Add(request);
                WriteStdout(result.ToJson(config.CniVersion));
                break;
            case CniCommand.Del:
                plugin.Del(request);
                break;
            case CniCommand.Check:
                plugin.Check(request);
                break;
            case CniCommand.Gc:
                plugin.Gc(request, config.ValidAttachments);
                break;
            case CniCommand.Status:
                plugin.Status(request);
                break;
        }

        var elapsed = ElapsedMicroseconds(started);
        LogCommandSucceeded(environment.Command, elapsed);
    }

    /// <summary>Core's parser reports a bad configuration as a <see cref="ConfigException"/>; here it becomes the CNI error.</summary>
    private static NetworkConfig ParseConfig(byte[] stdinBytes, string command)
    {
        try
        {
            return NetworkConfigParser.Parse(stdinBytes, command);
        }
        catch (ConfigException e)
        {
            throw CniException.From(e);
        }
    }

    /// <summary>
    /// VERSION needs no environment besides CNI_COMMAND; it answers in the version of the stdin config when one is
    /// given (SPEC "VERSION Success") and otherwise in the latest, and opens no log to stay cheap.
    /// </summary>
    private void WriteVersion()
    {
        string? requested = null;
        try
        {
            requested = NetworkConfigParser.TryReadVersion(ReadStdin());
        }
        catch (CniException)
        {
            // An unreadable or oversized probe still gets an answer; the version is all it asks for.
        }

        WriteStdout(CniJson.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("cniVersion", requested ?? CniVersion.Latest);
            writer.WriteStartArray("supportedVersions");
            foreach (var version in CniVersion.Supported)
            {
                writer.WriteStringValue(version);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }));
    }

    private void WriteError(string cniVersion, int code, string message, string details)
    {
        try
        {
            WriteStdout(CniJson.Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("cniVersion", cniVersion);
                writer.WriteNumber("code", code);
                writer.WriteString("msg", message);
                if (details.Length > 0)
                {
                    writer.WriteString("details", details);
                }

                writer.WriteEndObject();
            }));
        }
        catch (IOException e)
        {
            // The runtime went away; the exit code still tells it (if anyone) that we failed.
            LogOutputFailed(e);
        }
    }

    private void WriteStdout(byte[] json)
    {
        _stdout.Write(json);
        _stdout.Flush();
    }

    private byte[] ReadStdin()
    {
        // Grow from a small buffer: most configurations are a few KiB and a 1 MiB allocation costs start-up time.
        var buffer = new byte[16 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > MaxStdinBytes)
                    {
                        throw new CniException(
                            CniErrorCode.InvalidNetworkConfig,
                            $"invalid config: network config on stdin is larger than {MaxStdinBytes} bytes");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 4, MaxStdinBytes + 1));
                }

                var read = _stdin.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
            }
        }
        catch (IOException e)
        {
            throw new CniException(CniErrorCode.IoFailure, $"error reading from stdin: {e.Message}", innerException: e);
        }
    }

    /// <summary>Errors answer in the request's version when it is known and supported, else the latest.</summary>
    private static string ResponseVersion(byte[]? config)
    {
        var version = config is null ? null : NetworkConfigParser.TryReadVersion(config);
        return CniVersion.IsSupported(version) ? version! : CniVersion.Latest;
    }

    /// <summary>Opens the log once; failures before the config is known go to the default log file.</summary>
    private void EnsureLogOpen(NetworkConfig? config)
    {
        if (_logProvider is not null)
        {
            return;
        }

        var invocation = _invocation ?? LogInvocation.FromEnvironment(_getEnvironmentVariable);
        _logProvider = _openLog(config is null
            ? new LogSettings(NetworkConfig.DefaultLogFile, LogLevel.Information, invocation)
            : new LogSettings(config.LogFile, config.LogLevel, invocation, config.LogFileMaxBytes, config.LogFileMaxFiles));
        _logger = _logProvider.CreateLogger(typeof(CniDispatcher).FullName!);
    }

    private long ElapsedMicroseconds(long started) => (long)_time.GetElapsedTime(started).TotalMicroseconds;
}
