using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace AkCache.Tests.Support;

/// <summary>Runs a child process with a time limit and returns what it printed.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, string Error, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalMilliseconds:F0} ms\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public static Result Run(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A build started from inside `dotnet test` must not inherit the outer build's MSBuild settings.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("AKCACHE_", StringComparison.Ordinal) || k == "REDIS_URL").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit((int)(timeout ?? TimeSpan.FromMinutes(5)).TotalMilliseconds))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{fileName} {string.Join(" ", arguments)}' did not finish in time.\n{output.Result}\n{error.Result}");
        }

        process.WaitForExit();
        SuiteLog.AddText(output.Result);
        SuiteLog.AddText(error.Result);
        return new Result(process.ExitCode, output.Result, error.Result, clock.Elapsed);
    }

    /// <summary>The repository root: the folder holding AkCache.sln above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AkCache.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("AkCache.sln not found above " + AppContext.BaseDirectory);
    }
}
