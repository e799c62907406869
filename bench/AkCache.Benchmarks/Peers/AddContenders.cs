using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Threading.Tasks;
using AkCache.Benchmarks.Subjects;
using AkCache.CompilerServices;
using Microsoft.Extensions.Caching.Hybrid;
using ZiggyCreatures.Caching.Fusion;

namespace AkCache.Benchmarks.Peers;

/// <summary>
/// What items 1 and 11 compare the woven <c>Add(int, int)</c> with, written once: the hand-written
/// memos, FusionCache's and HybridCache's calls, and the two halves of a woven stub measured apart.
/// </summary>
internal sealed class AddContenders : IDisposable
{
    private readonly ConcurrentDictionary<UInt128, int> _limit = new();
    private readonly ConcurrentDictionary<UInt128, (int Value, long Deadline)> _expiring = new();
    private readonly Func<(int, int), int> _body = static args => Plain.Add(args.Item1, args.Item2);
    private readonly MemoizedMethod _method;
    private MemoKey _key;

    /// <param name="breakdownIdentity">The identity of the method object the breakdown rows use, one per suite.</param>
    /// <param name="hybridInstance">HybridCache's instance name.</param>
    public AddContenders(string breakdownIdentity, string hybridInstance)
    {
        _method = MemoizedMethod.Create(breakdownIdentity, "bench", 0);
        Fusion = PeerCaches.FusionMemory();
        Hybrid = PeerCaches.CreateHybrid(endpoint: null, hybridInstance);
    }

    public FusionCache Fusion { get; }

    public PeerCaches.Hybrid Hybrid { get; }

    /// <summary>FusionCache's and HybridCache's string key of a call, as a user would build it.</summary>
    public static string StringKey(int a, int b) => $"add:{a}:{b}";

    /// <summary>The limit: XxHash128 of the two ints, one ConcurrentDictionary lookup, the value as stored.</summary>
    public int HandWrittenLimit(int a, int b)
    {
        var key = Hash(a, b);
        if (_limit.TryGetValue(key, out var value))
        {
            return value;
        }

        value = Plain.Add(a, b);
        _limit[key] = value;
        return value;
    }

    /// <summary>What a careful user would write: the limit plus a deadline on Environment.TickCount64.</summary>
    public int HandWrittenExpiringMemo(int a, int b)
    {
        var key = Hash(a, b);
        if (_expiring.TryGetValue(key, out var entry) && Environment.TickCount64 < entry.Deadline)
        {
            return entry.Value;
        }

        var value = Plain.Add(a, b);
        _expiring[key] = (value, Environment.TickCount64 + 86_400_000);
        return value;
    }

    /// <summary>FusionCache (memory only) GetOrSet, its factory capturing the arguments.</summary>
    public int FusionCache(string key, int a, int b) => Fusion.GetOrSet(key, _ => Plain.Add(a, b));

    /// <summary>HybridCache (memory only) with its state overload, so that the factory captures nothing; completes synchronously on a hit.</summary>
    public int HybridCache(string key, int a, int b) =>
        Hybrid.Cache.GetOrCreateAsync(key, (a, b), static (s, _) => ValueTask.FromResult(Plain.Add(s.Item1, s.Item2))).GetAwaiter().GetResult();

    /// <summary>Breakdown, first half: the key exactly as the woven stub builds it (BeginKey, Add, Add, Complete).</summary>
    public MemoKey KeyAlone(int a, int b)
    {
        var builder = _method.BeginKey();
        builder.Add(a);
        builder.Add(b);
        return builder.Complete();
    }

    /// <summary>Breakdown, second half: MemoizedMethod.Invoke with the key of <paramref name="a"/> and <paramref name="b"/> computed once, by <see cref="PrecomputeKey"/>.</summary>
    public int LookupAlone(int a, int b) => _method.Invoke(_key, (a, b), _body, default);

    public void PrecomputeKey(int a, int b) => _key = KeyAlone(a, b);

    public void Dispose()
    {
        Fusion.Dispose();
        Hybrid.Dispose();
    }

    private static UInt128 Hash(int a, int b)
    {
        Span<byte> arguments = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(arguments, a);
        BinaryPrimitives.WriteInt32LittleEndian(arguments.Slice(4), b);
        return XxHash128.HashToUInt128(arguments);
    }
}
