using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace AkCache.Tests.Framework;

/// <summary>
/// The README's promise that the netstandard2.0 build runs on .NET Framework 4.7.2+: FrameworkCheck,
/// a net472 program woven at build time, run under Mono (the .NET Framework runtime Linux has)
/// against a real Redis and with Redis down.
/// </summary>
public sealed class NetFrameworkTests : IDisposable
{
    private static readonly string[] Results =
    {
        "square 144 144 169",
        "history 01-01=10,01-02=11.5,01-03=11.25 01-01=10,01-02=11.5,01-03=11.25",
        "quote ABC:3 ABC:3",
    };

    private readonly RedisTestServer _server = RedisTestServer.Start();
    private readonly string _prefix = "fx" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public NetFrameworkTests(Xunit.Abstractions.ITestOutputHelper output) => output.WriteLine($"server: {_server}");

    public void Dispose() => _server.Dispose();

    [SkippableFact]
    public void A_second_Mono_process_gets_the_first_ones_results_from_Redis()
    {
        var mono = MonoOrSkip();

        var first = RunUnderMono(mono);
        var second = RunUnderMono(mono);

        Assert.Equal(Results.Append("computations 4"), Lines(first).Skip(2));
        // Each process has a memory cache of its own: nothing computed here means every value came from Redis.
        Assert.Equal(Results.Append("computations 0"), Lines(second).Skip(2));
        Assert.True(first.Error.Length == 0 && second.Error.Length == 0, $"With Redis up, nothing should be logged:\n{first}\n{second}");
        using var connection = ConnectionMultiplexer.Connect(_server.Endpoint + ",allowAdmin=true");
        var keys = connection.GetServer(_server.Endpoint).Keys(pattern: _prefix + ":*").Select(k => k.ToString()).ToList();
        Assert.True(keys.Count == 4, "Expected one Redis entry per distinct call:\n" + string.Join("\n", keys));
    }

    [SkippableFact]
    public void With_Redis_down_a_Mono_process_computes_each_call_once_and_warns()
    {
        var mono = MonoOrSkip();
        _server.Stop();

        var run = RunUnderMono(mono);

        // The repeated calls are answered by this process's memory cache, not computed again.
        Assert.Equal(Results.Append("computations 4"), Lines(run).Skip(2));
        Assert.Contains($"Redis at {_server.Url} is unavailable", run.Error);
    }

    /// <summary>
    /// Runs FrameworkCheck under Mono and checks its first two lines: the runtime it found itself on, and
    /// the target framework of the AkCache.Runtime it loaded (a net472 program could also get a net4x build).
    /// </summary>
    private ProcessRunner.Result RunUnderMono(string mono)
    {
        var exe = FrameworkCheckExe();
        var run = ProcessRunner.Run(
            mono,
            new[] { exe },
            Path.GetDirectoryName(exe)!,
            new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url, ["AKCACHE_PREFIX"] = _prefix },
            TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, run.ToString() + MissingFacadesHint(run));
        var lines = Lines(run);
        Assert.True(lines.Length >= 2 && lines[0].StartsWith("runtime Mono ", StringComparison.Ordinal), run.ToString());
        Assert.Equal("akcache .NETStandard,Version=v2.0", lines[1]);
        return run;
    }

    private static string[] Lines(ProcessRunner.Result run) => run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string FrameworkCheckExe()
    {
        var exe = Path.Combine(ProcessRunner.RepositoryRoot(), "FrameworkCheck", "bin", WorkerProcesses.Configuration, "net472", "FrameworkCheck.exe");
        Assert.True(File.Exists(exe), $"{exe} is missing: build AkCache.sln (or Tests/Tests.csproj) in {WorkerProcesses.Configuration} first.");
        return exe;
    }

    private static string MissingFacadesHint(ProcessRunner.Result run) =>
        run.Error.Contains("'netstandard, Version=2.0.0.0", StringComparison.Ordinal)
            ? "\nMono has no netstandard.dll facade: Debian ships it in mono-devel (apt-get install mono-devel)."
            : "";

    /// <summary>The mono executable on PATH; skips without it, except under CI (any non-empty CI value), where it fails.</summary>
    private static string MonoOrSkip()
    {
        var mono = (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "mono"))
            .FirstOrDefault(File.Exists);
        if (mono is null)
        {
            Assert.False(RedisTestServer.RequireRealRedis, "CI requires mono for the .NET Framework test; install it with apt-get install mono-devel (.ci/run does)");
            Skip.If(true, "mono is not installed; the .NET Framework test needs it (apt-get install mono-devel; a non-empty CI turns this into a failure).");
        }

        return mono!;
    }
}
