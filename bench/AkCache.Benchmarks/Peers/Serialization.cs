using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.Caching.Hybrid;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace AkCache.Benchmarks.Peers;

/// <summary>
/// Plain MessagePack 2.5, contractless, untrusted-data mode: what a user who calls Redis by hand (or
/// gives FusionCache or HybridCache a MessagePack serializer) would write. The raw baselines and the
/// peers all serialize with it. AkCache itself no longer does: since the faithful serializer (commit
/// b294098) it stores every field through its own resolver (<see cref="AkCacheFormat"/>), so the
/// comparisons with these baselines include the difference between the two serializers, which is
/// the difference a user who switches to AkCache sees. FusionCache's own MessagePack package is not
/// served here, and HybridCache's default is System.Text.Json; both take a serializer, and these
/// adapters are it.
/// </summary>
internal static class BenchSerializer
{
    public static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            NativeDateTimeResolver.Instance,
            NativeDecimalResolver.Instance,
            NativeGuidResolver.Instance,
            ContractlessStandardResolver.Instance))
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<T>(bytes, Options);
}

/// <summary>
/// The MessagePack options AkCache stores values with (AkCache.Internals.Serialization.FaithfulOptions.Values),
/// for baselines that must deserialize exactly AkCache's bytes with exactly its formatters (a DataTable,
/// which plain MessagePack cannot store). AkCache.Runtime grants InternalsVisibleTo only to Tests, so
/// the options object is read once by reflection; every call after that is MessagePack's public API.
/// </summary>
internal static class AkCacheFormat
{
    public static readonly MessagePackSerializerOptions Options = Find();

    /// <summary>The envelope header before the payload (format 2, docs/values.md): AkCache.Internals.Serialization.ValueSerializer.HeaderLength.</summary>
    public static readonly int HeaderLength = HeaderLengthOfThisRuntime();

    public static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<T>(bytes, Options);

    private static MessagePackSerializerOptions Find()
    {
        const string Name = "AkCache.Internals.Serialization.FaithfulOptions";
        var type = typeof(AkCacheRuntime).Assembly.GetType(Name, throwOnError: true)!;
        var field = type.GetField("Values", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{Name}.Values is gone: update bench/AkCache.Benchmarks/Peers/Serialization.cs.");
        return (MessagePackSerializerOptions)field.GetValue(null)!;
    }

    private static int HeaderLengthOfThisRuntime()
    {
        const string Name = "AkCache.Internals.Serialization.ValueSerializer";
        var type = typeof(AkCacheRuntime).Assembly.GetType(Name, throwOnError: true)!;
        var field = type.GetField("HeaderLength", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{Name}.HeaderLength is gone: update bench/AkCache.Benchmarks/Peers/Serialization.cs.");
        return (int)field.GetValue(null)!;
    }
}

internal sealed class MessagePackFusionSerializer : IFusionCacheSerializer
{
    public byte[] Serialize<T>(T? obj) => MessagePackSerializer.Serialize(obj, BenchSerializer.Options);

    public T? Deserialize<T>(byte[] data) => MessagePackSerializer.Deserialize<T>(data, BenchSerializer.Options);

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => new(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => new(Deserialize<T>(data));
}

internal sealed class MessagePackHybridSerializerFactory : IHybridCacheSerializerFactory
{
    public bool TryCreateSerializer<T>([NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
    {
        serializer = new Serializer<T>();
        return true;
    }

    private sealed class Serializer<T> : IHybridCacheSerializer<T>
    {
        public T Deserialize(ReadOnlySequence<byte> source) => MessagePackSerializer.Deserialize<T>(source, BenchSerializer.Options);

        public void Serialize(T value, IBufferWriter<byte> target) => MessagePackSerializer.Serialize(target, value, BenchSerializer.Options);
    }
}
