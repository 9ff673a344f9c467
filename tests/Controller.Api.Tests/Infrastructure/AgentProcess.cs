using System.Diagnostics;
using System.Text;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>The host agent (Controller.Agent) as a real process, as an operator runs it; its output is kept for the test's log.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Release or Debug: the configuration these tests (and so the agent and the sample) were built in.</summary>
    public static string Configuration => typeof(AgentProcess).Assembly.Location.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built agent program (<c>controller-agent.dll</c>).</summary>
    public static string AgentDll => RepositoryFiles.Path($"Controller.Agent/bin/{Configuration}/net10.0/controller-agent.dll");

    /// <summary>The built sample engine (<c>wordcount.dll</c>).</summary>
    public static string WordCountDll => RepositoryFiles.Path($"samples/WordCount/bin/{Configuration}/net10.0/wordcount.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static AgentProcess Start(Uri controller, string? registrationToken, string dataDirectory, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dataDirectory };
        foreach (var arg in new[] { AgentDll, $"--Agent:ControllerUrl={controller}", $"--Agent:DataDirectory={dataDirectory}" }.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        if (registrationToken is not null)
        {
            start.Environment["Agent__RegistrationToken"] = registrationToken;
        }

        Directory.CreateDirectory(dataDirectory);
        return new AgentProcess(Process.Start(start)!);
    }

    /// <summary>SIGKILL for the agent alone: its engines run on (they are not killed with it).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        await _process.WaitForExitAsync().WaitAsync(within);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
