using System;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using AkCache.Benchmarks.Infrastructure;
using AkCache.Benchmarks.Subjects;
using AkCache.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace AkCache.Benchmarks.Suites;

/// <summary>
/// Item 5: the cost of the key against the argument's shape. "AkCache key" is exactly what a woven
/// stub runs before MemoizedMethod.Invoke: BeginKey, Add, Complete (the canonical form, then
/// XxHash128). The baseline hashes the argument's raw bytes with XxHash128 by hand; the third row is
/// the string key that FusionCache and HybridCache need, built as users commonly build it.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class KeyShape
{
    private MemoizedMethod _method = null!;
    private int _int = 123_456;
    private string _string = null!;
    private int[] _array = null!;
    private Order _order = null!;

    [GlobalSetup]
    public void Setup()
    {
        AkCacheSetup.UseClosedPort(TimeSpan.FromHours(1));
        _method = MemoizedMethod.Create("AkCache.Benchmarks.Key(System.Object)", "bench", 0);
        _string = new string('x', 512) + new string('y', 512);
        _array = new int[10_000];
        for (var i = 0; i < _array.Length; i++)
        {
            _array[i] = i * 7;
        }

        _order = new Order { Id = 42, Symbol = "600000.SH", Quantity = 300, Price = 10.25m, Day = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc) };
    }

    [GlobalCleanup]
    public void Cleanup() => AkCacheRuntime.Reset();

    [BenchmarkCategory("int"), Benchmark(Description = "AkCache key")]
    public MemoKey IntAkCache()
    {
        var builder = _method.BeginKey();
        builder.Add(_int);
        return builder.Complete();
    }

    [BenchmarkCategory("int"), Benchmark(Baseline = true, Description = "XxHash128 of the raw bytes")]
    public UInt128 IntHandWritten()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, _int);
        return XxHash128.HashToUInt128(bytes);
    }

    [BenchmarkCategory("int"), Benchmark(Description = "string key for a peer")]
    public string IntPeerKey() => $"key:{_int}";

    [BenchmarkCategory("string 1 KB"), Benchmark(Description = "AkCache key")]
    public MemoKey StringAkCache()
    {
        var builder = _method.BeginKey();
        builder.Add(_string);
        return builder.Complete();
    }

    [BenchmarkCategory("string 1 KB"), Benchmark(Baseline = true, Description = "XxHash128 of the raw bytes")]
    public UInt128 StringHandWritten() => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(_string.AsSpan()));

    [BenchmarkCategory("string 1 KB"), Benchmark(Description = "string key for a peer")]
    public string StringPeerKey() => "key:" + _string;

    [BenchmarkCategory("int[10000]"), Benchmark(Description = "AkCache key")]
    public MemoKey ArrayAkCache()
    {
        var builder = _method.BeginKey();
        builder.Add(_array);
        return builder.Complete();
    }

    [BenchmarkCategory("int[10000]"), Benchmark(Baseline = true, Description = "XxHash128 of the raw bytes")]
    public UInt128 ArrayHandWritten() => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(_array.AsSpan()));

    [BenchmarkCategory("int[10000]"), Benchmark(Description = "string key for a peer")]
    public string ArrayPeerKey() => "key:" + string.Join(',', _array);

    [BenchmarkCategory("POCO"), Benchmark(Description = "AkCache key")]
    public MemoKey PocoAkCache()
    {
        var builder = _method.BeginKey();
        builder.Add(_order);
        return builder.Complete();
    }

    /// <summary>Each field written by hand into a stack buffer, then hashed.</summary>
    [BenchmarkCategory("POCO"), Benchmark(Baseline = true, Description = "XxHash128 of the raw bytes")]
    public UInt128 PocoHandWritten()
    {
        var order = _order;
        Span<byte> bytes = stackalloc byte[64 + (order.Symbol.Length * 2)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, order.Id);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.Slice(4), order.Quantity);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.Slice(8), order.Day.Ticks);
        decimal.GetBits(order.Price, MemoryMarshal.Cast<byte, int>(bytes.Slice(16, 16)));
        MemoryMarshal.AsBytes(order.Symbol.AsSpan()).CopyTo(bytes.Slice(32));
        return XxHash128.HashToUInt128(bytes.Slice(0, 32 + (order.Symbol.Length * 2)));
    }

    [BenchmarkCategory("POCO"), Benchmark(Description = "string key for a peer")]
    public string PocoPeerKey() => "key:" + JsonSerializer.Serialize(_order);
}
