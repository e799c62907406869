using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.Caching.Hybrid;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace AkCache.Benchmarks.Peers;

/// <summary>
/// Every contender serializes with the same MessagePack 2.5 settings as AkCache
/// (AkCache.Runtime/Internals/Serialization/ValueSerializer.cs), so the comparisons measure the
/// caches, not the serializers. FusionCache's own MessagePack package is not served here, and
/// HybridCache's default is System.Text.Json; both take a serializer, and these adapters are it.
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
