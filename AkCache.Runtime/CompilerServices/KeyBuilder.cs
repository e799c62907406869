using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.IO.Hashing;
using AkCache.Internals.Hashing;

namespace AkCache.CompilerServices;

/// <summary>
/// Collects the canonical binary form of a call's arguments and hashes it with XxHash128. Used by
/// woven code; not meant to be used directly.
/// </summary>
/// <remarks>
/// The buffer is taken from a per-thread slot and given back by <see cref="Complete"/>. A nested
/// call on the same thread (an argument whose serialization calls a memoized method) finds the slot
/// empty and gets a buffer of its own.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct KeyBuilder
{
    private const int RetainedBufferLimit = 64 * 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly MemoizedMethod _method;
    private byte[]? _buffer;
    private int _length;
    private bool _failed;

    internal KeyBuilder(MemoizedMethod method, bool active)
    {
        _method = method;
        _length = 0;
        _failed = !active;
        if (active)
        {
            _buffer = t_buffer ?? new byte[256];
            t_buffer = null;
        }
        else
        {
            _buffer = null;
        }
    }

    /// <summary>A builder of its own for one element of an unordered collection; errors propagate to the outer Add.</summary>
    internal static KeyBuilder Detached() => new(null, active: true, buffer: new byte[64]);

    private KeyBuilder(MemoizedMethod? method, bool active, byte[] buffer)
    {
        _method = method!;
        _buffer = buffer;
        _length = 0;
        _failed = !active;
    }

    /// <summary>Adds the next argument.</summary>
    public void Add<T>(T value)
    {
        if (_failed)
        {
            return;
        }

        try
        {
            ArgumentWriter<T>.Write(ref this, value);
        }
        catch (Exception ex)
        {
            _failed = true;
            _method.ReportUnkeyableArgument(typeof(T), value?.GetType(), ex);
        }
    }

    /// <summary>Adds a type argument of a generic method or type, so that Get&lt;int&gt;(1) and Get&lt;long&gt;(1) differ.</summary>
    public void AddType<T>()
    {
        if (!_failed)
        {
            WriteString(TypeName<T>.Canonical);
        }
    }

    /// <summary>Hashes what was added; an invalid key when an argument could not be written.</summary>
    public MemoKey Complete()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is null)
        {
            return default;
        }

        MemoKey key = default;
        if (!_failed)
        {
            Span<byte> hash = stackalloc byte[16];
            XxHash128.Hash(buffer.AsSpan(0, _length), hash);
            key = new MemoKey(BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash.Slice(8)));
        }

        if (_method is not null && buffer.Length <= RetainedBufferLimit)
        {
            t_buffer = buffer;
        }

        return key;
    }

    internal void WriteByte(byte value) => Reserve(1)[0] = value;

    internal void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    internal void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    internal void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    internal void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteInt32(bytes.Length);
        bytes.CopyTo(Reserve(bytes.Length));
    }

    internal void WriteString(string value)
    {
        WriteInt32(value.Length);
        var target = Reserve(value.Length * 2);
        for (var i = 0; i < value.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(target.Slice(i * 2), value[i]);
        }
    }

    private Span<byte> Reserve(int count)
    {
        var buffer = _buffer!;
        if (_length + count > buffer.Length)
        {
            var grown = new byte[Math.Max(buffer.Length * 2, _length + count)];
            buffer.AsSpan(0, _length).CopyTo(grown);
            _buffer = buffer = grown;
        }

        var span = buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
