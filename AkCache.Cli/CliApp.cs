using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using AkCache.Internals.Configuration;
using AkCache.Internals.Distributed;
using AkCache.Internals.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AkCache.Cli;

/// <summary>The exit codes of <c>akcache</c> (docs/cli.md).</summary>
internal static class ExitCode
{
    public const int Ok = 0;

    /// <summary>Redis could not be reached, refused a command, or a primary was out of reach.</summary>
    public const int RedisFailed = 1;

    /// <summary>The command line or the environment cannot be used (an unknown option, a bad URL).</summary>
    public const int Usage = 2;

    /// <summary><c>get</c>: no such key; <c>ls</c>: no entry of that method.</summary>
    public const int NotFound = 3;

    /// <summary><c>get</c>: the key does not hold a value in AkCache's format.</summary>
    public const int NotAkCache = 4;

    /// <summary><c>clear</c>: not confirmed (no <c>--yes</c>, and the answer was not "y", or there was no one to ask).</summary>
    public const int NotConfirmed = 5;
}

/// <summary>
/// <c>akcache</c>: <c>stats</c>, <c>ls METHOD</c>, <c>get KEY</c>, <c>clear --method M | --prefix P</c>.
/// Run with its streams and environment given, so that tests run it in process as a user runs the tool.
/// </summary>
internal sealed class CliApp
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly TextReader _in;
    private readonly Func<string, string?> _variable;
    private readonly bool _interactive;

    public CliApp(TextWriter output, TextWriter error, TextReader input, Func<string, string?> variable, bool interactive)
    {
        _out = output;
        _error = error;
        _in = input;
        _variable = variable;
        _interactive = interactive;
    }

    public const string Usage = """
        akcache: look at and clear what AkCache memoized in Redis.

        Usage:
          akcache stats [options]                 per method: keys, bytes, time to live left
          akcache ls METHOD [options]             the entries of the methods whose identity starts with METHOD
          akcache get KEY [options]               one stored value, decoded, as JSON
          akcache clear --method METHOD [options] delete a method's entries (every version) and tell every process
          akcache clear --prefix PREFIX [options] delete every entry under PREFIX and tell every process

        Options:
          --url URL        Redis (redis://, rediss://, redis+sentinel://, or a StackExchange.Redis string);
                           default: AKCACHE_REDIS_URL, then REDIS_URL
          --prefix PREFIX  the AkCache prefix (AkCacheOptions.Prefix); default: AKCACHE_PREFIX, then "akcache"
          --json           machine-readable output on standard output
          --yes            clear without asking
          --progress       report scanning progress on standard error (the default when it is a terminal)
          --no-progress    never report progress
          --limit N        ls: list at most N entries (default 1000; 0: all)
          --help, --version

        Exit codes: 0 done; 1 Redis failed; 2 bad command line or URL; 3 not found; 4 not an AkCache
        value; 5 clear not confirmed. docs/cli.md has the details.
        """;

    public int Run(string[] args)
    {
        Arguments arguments;
        try
        {
            arguments = Arguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            _error.WriteLine($"akcache: {ex.Message}");
            _error.WriteLine("Run 'akcache --help' for the usage.");
            return ExitCode.Usage;
        }

        if (arguments.Help || arguments.Command is null)
        {
            (arguments.Help ? _out : _error).WriteLine(Usage);
            return arguments.Help ? ExitCode.Ok : ExitCode.Usage;
        }

        if (arguments.Version)
        {
            _out.WriteLine(typeof(CliApp).Assembly.GetName().Version?.ToString(3));
            return ExitCode.Ok;
        }

        AkCacheOptions options;
        RedisUrl url;
        try
        {
            options = AkCacheOptions.FromVariables(_variable);
            options.RedisUrl = arguments.Url ?? (NonEmpty(_variable("AKCACHE_REDIS_URL")) ?? NonEmpty(_variable("REDIS_URL")))
                ?? throw new ArgumentException("no Redis URL: pass --url redis://host:port, or set AKCACHE_REDIS_URL.");
            if (arguments.Prefix is not null)
            {
                options.Prefix = arguments.Prefix;
            }

            options.Validate();
            url = RedisUrl.Parse(options.RedisUrl);
        }
        catch (ArgumentException ex)
        {
            _error.WriteLine($"akcache: {ex.Message}");
            return ExitCode.Usage;
        }

        using var redis = new RedisAccessor(url, options, NullLogger.Instance, TimeProvider.System);
        try
        {
            var commands = new Commands(redis, options, arguments, _out, _error, ShowProgress(arguments));
            return arguments.Command switch
            {
                "stats" => commands.Stats(),
                "ls" => commands.List(arguments.Operand ?? throw new ArgumentException("ls needs a METHOD (an identity, or the start of one).")),
                "get" => commands.Get(arguments.Operand ?? throw new ArgumentException("get needs a KEY.")),
                "clear" => commands.Clear(Confirm),
                _ => throw new ArgumentException($"unknown command '{arguments.Command}'."),
            };
        }
        catch (ArgumentException ex)
        {
            _error.WriteLine($"akcache: {ex.Message}");
            return ExitCode.Usage;
        }
        catch (InvalidOperationException ex)
        {
            // What RedisAccessor reports: unreachable, not connected, a primary out of reach, a refusal; the password scrubbed.
            _error.WriteLine(ex.Message);
            return ExitCode.RedisFailed;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or AggregateException)
        {
            var inner = ex is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[0] : ex;
            _error.WriteLine($"akcache: Redis at {url.SafeDescription} failed: {inner.GetType().Name}: {AkCache.Internals.Logging.Secrets.Scrub(inner.Message, url.Options)}");
            return ExitCode.RedisFailed;
        }
    }

    private bool ShowProgress(Arguments arguments) => arguments.Progress ?? _interactive;

    /// <summary>Asks on standard error, reads the answer on standard input; false without an answer.</summary>
    private bool Confirm(string question)
    {
        _error.Write(question + " [y/N] ");
        _error.Flush();
        var answer = _in.ReadLine();
        return answer is not null && (answer.Trim().Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase));
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>The command line, read by hand: a command, at most one operand, options anywhere.</summary>
internal sealed class Arguments
{
    public string? Command { get; private set; }

    public string? Operand { get; private set; }

    public string? Url { get; private set; }

    public string? Prefix { get; private set; }

    public string? Method { get; private set; }

    public bool Json { get; private set; }

    public bool Yes { get; private set; }

    public bool? Progress { get; private set; }

    public int Limit { get; private set; } = 1000;

    public bool Help { get; private set; }

    public bool Version { get; private set; }

    /// <exception cref="ArgumentException">An unknown option, a missing value, an extra operand.</exception>
    public static Arguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--url": parsed.Url = Value(); break;
                case "--prefix": parsed.Prefix = Value(); break;
                case "--method": parsed.Method = Value(); break;
                case "--json": parsed.Json = true; break;
                case "--yes" or "-y": parsed.Yes = true; break;
                case "--progress": parsed.Progress = true; break;
                case "--no-progress": parsed.Progress = false; break;
                case "--limit":
                    var text = Value();
                    parsed.Limit = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : throw new ArgumentException($"--limit takes a whole number, not '{text}'.");
                    break;
                case "--help" or "-h": parsed.Help = true; break;
                case "--version": parsed.Version = true; parsed.Command ??= "version"; break;
                default:
                    if (arg.StartsWith("-", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"unknown option '{arg}'.");
                    }

                    if (parsed.Command is null)
                    {
                        parsed.Command = arg;
                    }
                    else if (parsed.Operand is null)
                    {
                        parsed.Operand = arg;
                    }
                    else
                    {
                        throw new ArgumentException($"unexpected '{arg}': {parsed.Command} takes at most one operand.");
                    }

                    break;
            }
        }

        if (parsed.Command is not null and not ("stats" or "ls" or "get" or "clear" or "version"))
        {
            throw new ArgumentException($"unknown command '{parsed.Command}' (stats, ls, get, clear).");
        }

        return parsed;
    }
}
