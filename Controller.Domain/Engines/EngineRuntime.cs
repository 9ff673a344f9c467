using System.Text.RegularExpressions;
using Controller.Domain.Common;

namespace Controller.Domain.Engines;

/// <summary>
/// What a copy of an engine runs besides its image: the command (required by the agent's <c>process</c> driver,
/// overriding the image's for <c>docker</c>), non-secret environment settings (the controller's own variables win),
/// and how long a copy is given between the stop signal and the kill.
/// </summary>
public sealed partial record EngineRuntime
{
    public const int DefaultStopGraceSeconds = 30;
    public const int MaxStopGraceSeconds = 3_600;
    public const int MaxCommandArguments = 128;
    public const int CommandArgumentMaxLength = 4_096;
    public const int MaxEnvironmentVariables = 128;
    public const int EnvironmentNameMaxLength = 128;
    public const int EnvironmentValueMaxLength = 4_096;

    /// <summary>Command and environment together, as stored: at most this many characters.</summary>
    public const int MaxTotalChars = 32_768;

    public static readonly EngineRuntime Default = new(null, new Dictionary<string, string>(), DefaultStopGraceSeconds);

    internal EngineRuntime(IReadOnlyList<string>? command, IReadOnlyDictionary<string, string> environment, int stopGraceSeconds)
    {
        Command = command is null ? null : [.. command];
        Environment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        StopGraceSeconds = stopGraceSeconds;
    }

    /// <summary>The program and its arguments; null: the image's own (docker only).</summary>
    public IReadOnlyList<string>? Command { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public int StopGraceSeconds { get; }

    /// <summary>The first rule this runtime breaks (field and message), or null when it is valid.</summary>
    public static (string Field, string Message)? FirstViolation(IReadOnlyList<string>? command, IReadOnlyDictionary<string, string>? environment, int stopGraceSeconds)
    {
        if (command is not null)
        {
            if (command.Count == 0 || command.Count > MaxCommandArguments)
            {
                return ("command", $"'command' must hold 1 to {MaxCommandArguments} strings (the program, then its arguments), or be left out.");
            }

            if (string.IsNullOrWhiteSpace(command[0]))
            {
                return ("command", "'command[0]' (the program) must not be empty.");
            }

            for (var i = 0; i < command.Count; i++)
            {
                if (command[i] is null || command[i].Length > CommandArgumentMaxLength || command[i].Contains('\0', StringComparison.Ordinal))
                {
                    return ($"command[{i}]", $"'command[{i}]' must be a string of at most {CommandArgumentMaxLength} characters without NUL.");
                }
            }
        }

        if (environment is not null)
        {
            if (environment.Count > MaxEnvironmentVariables)
            {
                return ("environment", $"'environment' may hold at most {MaxEnvironmentVariables} variables.");
            }

            foreach (var (name, value) in environment)
            {
                if (name.Length > EnvironmentNameMaxLength || !VariableName().IsMatch(name))
                {
                    return ("environment", $"'{name}' is not a valid variable name: a letter or '_', then letters, digits or '_', at most {EnvironmentNameMaxLength} characters.");
                }

                if (value is null || value.Length > EnvironmentValueMaxLength || value.Contains('\0', StringComparison.Ordinal))
                {
                    return ("environment", $"'environment.{name}' must be a string of at most {EnvironmentValueMaxLength} characters without NUL.");
                }
            }
        }

        var total = (command?.Sum(c => c?.Length ?? 0) ?? 0) + (environment?.Sum(e => e.Key.Length + (e.Value?.Length ?? 0)) ?? 0);
        if (total > MaxTotalChars)
        {
            return ("environment", $"'command' and 'environment' together may hold at most {MaxTotalChars} characters.");
        }

        if (stopGraceSeconds is < 0 or > MaxStopGraceSeconds)
        {
            return ("stopGraceSeconds", $"'stopGraceSeconds' must be between 0 and {MaxStopGraceSeconds}.");
        }

        return null;
    }

    /// <summary>A valid runtime, or a domain error naming the field.</summary>
    public static EngineRuntime Create(IReadOnlyList<string>? command, IReadOnlyDictionary<string, string>? environment, int? stopGraceSeconds)
    {
        var grace = stopGraceSeconds ?? DefaultStopGraceSeconds;
        if (FirstViolation(command, environment, grace) is { } violation)
        {
            throw new DomainException("invalid_value", violation.Message, new Dictionary<string, object?> { ["field"] = violation.Field });
        }

        return new EngineRuntime(command, environment ?? new Dictionary<string, string>(), grace);
    }

    /// <summary>The environment of a launch: the engine's settings, then the controller's variables over them.</summary>
    public IReadOnlyDictionary<string, string> LaunchEnvironment(IReadOnlyDictionary<string, string> controllerVariables)
    {
        var merged = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach (var (name, value) in controllerVariables)
        {
            merged[name] = value;
        }

        return merged;
    }

    /// <summary>Whether copies with <paramref name="other"/> run the same (command and environment; the stop grace is not what a copy runs).</summary>
    public bool RunsAs(EngineRuntime other) => Equals(new EngineRuntime(other.Command, other.Environment, StopGraceSeconds));

    public bool Equals(EngineRuntime? other) =>
        other is not null
        && StopGraceSeconds == other.StopGraceSeconds
        && (Command is null ? other.Command is null : other.Command is not null && Command.SequenceEqual(other.Command, StringComparer.Ordinal))
        && Environment.Count == other.Environment.Count
        && Environment.All(e => other.Environment.TryGetValue(e.Key, out var v) && string.Equals(v, e.Value, StringComparison.Ordinal));

    public override int GetHashCode() => HashCode.Combine(StopGraceSeconds, Command?.Count ?? -1, Environment.Count);

    /// <summary>A name a shell and every runtime accept: a letter or underscore, then letters, digits, underscores.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex VariableName();
}
