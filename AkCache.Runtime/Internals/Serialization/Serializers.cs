using System;
using System.Collections.Generic;
using System.Text.Json;

namespace AkCache.Internals.Serialization;

/// <summary>
/// A serializer as a method uses it: its name (in the keys' version), the code in the envelope's
/// serializer byte, and the implementation, or null for AkCache's own faithful MessagePack.
/// </summary>
internal sealed class MethodSerializer
{
    public const string DefaultName = "messagepack";

    public static readonly MethodSerializer Faithful = new(DefaultName, ValueSerializer.MessagePackSerializerId, null);

    public MethodSerializer(string name, byte code, IValueSerializer? custom)
    {
        Name = name;
        Code = code;
        Custom = custom;
    }

    public string Name { get; }

    public byte Code { get; }

    /// <summary>Null for the default serializer.</summary>
    public IValueSerializer? Custom { get; }

    public bool IsDefault => Custom is null;

    /// <summary>The serializer called <paramref name="name"/>, built in or registered; null if there is none.</summary>
    public static MethodSerializer? Find(string name, IEnumerable<IValueSerializer> registered)
    {
        if (name == DefaultName)
        {
            return Faithful;
        }

        foreach (var serializer in registered)
        {
            if (serializer.Name == name)
            {
                return new MethodSerializer(name, ValueSerializer.CustomSerializerId, serializer);
            }
        }

        return name == JsonValueSerializer.Instance.Name ? new MethodSerializer(name, ValueSerializer.JsonSerializerId, JsonValueSerializer.Instance) : null;
    }

    /// <summary>1 to 32 lowercase letters, digits, '-' or '_'.</summary>
    public static bool IsValidName(string? name)
    {
        if (name is null || name.Length == 0 || name.Length > 32)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// System.Text.Json with its defaults plus public fields. What comes back is what JSON keeps: public
/// members with public setters or constructor parameters; no comparers, no subclasses, DateTime
/// Kind kept only as the offset text. AkCache's own serializer is the faithful one.
/// </summary>
internal sealed class JsonValueSerializer : IValueSerializer
{
    public static readonly JsonValueSerializer Instance = new();

    private static readonly JsonSerializerOptions Options = new() { IncludeFields = true };

    public string Name => "json";

    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public T Deserialize<T>(ReadOnlyMemory<byte> payload) => JsonSerializer.Deserialize<T>(payload.Span, Options)!;
}
