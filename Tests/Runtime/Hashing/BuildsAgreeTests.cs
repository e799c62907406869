using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Runtime.Versioning;
using AkCache.CompilerServices;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Hashing;

/// <summary>
/// AkCache.Runtime is built twice from one source (docs/packaging.md): netstandard2.0 for .NET
/// Framework and net8.0 for .NET 8 and later, which differ only where net8.0 has a faster call (the
/// digest as a UInt128, the clock read directly). A .NET Framework process and a .NET one share
/// one Redis, so the two builds must give every call the same key. These tests load the
/// netstandard2.0 build next to the net8.0 one this project runs with and compare them.
/// </summary>
public sealed class BuildsAgreeTests : OfflineKeyTest, IDisposable
{
    private readonly AssemblyLoadContext _context = new("netstandard2.0 runtime", isCollectible: true);
    private readonly Assembly _standard;

    public BuildsAgreeTests()
    {
        var path = Path.Combine(ProcessRunner.RepositoryRoot(), "AkCache.Runtime", "bin", WorkerProcesses.Configuration, "netstandard2.0", "AkCache.Runtime.dll");
        Assert.True(File.Exists(path), $"the netstandard2.0 build of the runtime is missing at {path}: build the solution first");

        // Loaded from bytes, so that the file stays free; its dependencies come from this process.
        _standard = _context.LoadFromStream(new MemoryStream(File.ReadAllBytes(path)));
    }

    void IDisposable.Dispose()
    {
        _context.Unload();
        Dispose();
    }

    [Fact]
    public void The_two_builds_are_the_ones_this_test_compares()
    {
        Assert.Equal(".NETStandard,Version=v2.0", _standard.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
        Assert.Equal(".NETCoreApp,Version=v8.0", typeof(MemoizedMethod).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
    }

    [Fact]
    public void Both_builds_give_the_same_keys_inline_and_past_the_inline_bytes()
    {
        var cases = new object[][]
        {
            Array.Empty<object>(),
            new object[] { 1, 2 },
            new object[] { -7L, 3.25, true },
            new object[] { "600519.SH", 30 },
            new object[] { new Guid("00112233-4455-6677-8899-aabbccddeeff"), 'x', (byte)9 },
            new object[] { new string('z', 40) },
            new object[] { Enumerable.Range(0, 100).ToArray(), 12.5m, DateTime.UnixEpoch },
            new object[] { 1L, 2L, 3L, 4L, 5L },
        };

        var identity = "Test.BuildsAgree" + Guid.NewGuid().ToString("N");
        foreach (var arguments in cases)
        {
            var net8 = KeyOf(typeof(MemoizedMethod).Assembly, identity, arguments);
            var standard = KeyOf(_standard, identity, arguments);
            Assert.True(net8.Length == 32, $"no key for ({string.Join(", ", arguments)}): {net8}");
            Assert.True(net8 == standard, $"({string.Join(", ", arguments)}): net8.0 {net8}, netstandard2.0 {standard}");
        }
    }

    [Fact]
    public void Both_builds_read_the_same_monotonic_clock()
    {
        var clock = _standard.GetType("AkCache.Internals.Timing.Clock", throwOnError: true)!;
        var system = clock.GetProperty("System", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        var milliseconds = clock.GetMethod("Milliseconds")!;

        var before = Environment.TickCount64;
        var reading = (long)milliseconds.Invoke(system, null)!;
        var after = Environment.TickCount64;
        Assert.InRange(reading, before, after);
        Assert.InRange(AkCache.Internals.Timing.Clock.System.Milliseconds(), after, Environment.TickCount64);
    }

    /// <summary>The key's hex digits, built by <paramref name="runtime"/>'s KeyBuilder as woven code builds it (BeginKey, Add per argument, Complete).</summary>
    private static string KeyOf(Assembly runtime, string identity, object[] arguments)
    {
        var methodType = runtime.GetType("AkCache.CompilerServices.MemoizedMethod", throwOnError: true)!;
        var create = methodType.GetMethod("Create", new[] { typeof(string), typeof(string), typeof(int) })!;
        var method = create.Invoke(null, new object[] { identity, "v", 0 })!;

        // The netstandard2.0 copy configures itself from the environment on its first call, offline: a key connects to nothing.
        var builder = methodType.GetMethod("BeginKey")!.Invoke(method, null)!;
        var add = builder.GetType().GetMethod("Add")!;
        foreach (var argument in arguments)
        {
            // The builder is boxed: each Add changes the box, as it changes the stub's local.
            add.MakeGenericMethod(argument.GetType()).Invoke(builder, new[] { argument });
        }

        var key = builder.GetType().GetMethod("Complete")!.Invoke(builder, null)!;
        return key.ToString()!;
    }
}
