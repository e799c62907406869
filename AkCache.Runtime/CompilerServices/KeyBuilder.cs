using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

        // Fixed-width primitives skip the writer delegate and the try/catch of AddWritten: for a
        // value-type T the JIT folds this to the one write that ArgumentWriter<T> would do.
        if (!TryWritePrimitive(value))
        {
            AddWritten(value);
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

        var key = _failed ? default : Hash(buffer, _length);
        if (_method is not null && buffer.Length <= RetainedBufferLimit)
        {
            t_buffer = buffer;
        }

        return key;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as ArgumentWriter&lt;T&gt; would, through its delegate only
    /// when no fast path applies. For elements of arrays and collections.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteElement<T>(T value)
    {
        if (TryWritePrimitive(value))
        {
            return;
        }

        if (typeof(T) == typeof(string))
        {
            WriteNullableString(Unsafe.As<T, string?>(ref value));
            return;
        }

        ArgumentWriter<T>.Write(ref this, value);
    }

    /// <summary>Hashes what was written so far and starts again, keeping the buffer.</summary>
    internal MemoKey HashAndRestart()
    {
        var key = Hash(_buffer!, _length);
        _length = 0;
        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteByte(byte value)
    {
        var buffer = _buffer!;
        var length = _length;
        if ((uint)length >= (uint)buffer.Length)
        {
            buffer = Grow(1);
        }

        buffer[length] = value;
        _length = length + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteInt32(int value)
    {
        var buffer = _buffer!;
        var length = _length;
        if (length > buffer.Length - sizeof(int))
        {
            buffer = Grow(sizeof(int));
        }

        Unsafe.WriteUnaligned(ref buffer[length], BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
        _length = length + sizeof(int);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteInt64(long value)
    {
        var buffer = _buffer!;
        var length = _length;
        if (length > buffer.Length - sizeof(long))
        {
            buffer = Grow(sizeof(long));
        }

        Unsafe.WriteUnaligned(ref buffer[length], BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
        _length = length + sizeof(long);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteUInt64(ulong value) => WriteInt64(unchecked((long)value));

    /// <summary>The length, then the bytes.</summary>
    internal void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteInt32(bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>The bytes alone: the caller has written the length.</summary>
    internal void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>The length, then the UTF-16 code units, little endian.</summary>
    internal void WriteString(string value)
    {
        WriteInt32(value.Length);
        var target = Reserve(value.Length * 2);
        if (BitConverter.IsLittleEndian)
        {
            // In memory a string already is its code units, little endian here: one copy.
            MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(target);
            return;
        }

        for (var i = 0; i < value.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(target.Slice(i * 2), value[i]);
        }
    }

    /// <summary>A presence byte, then the string.</summary>
    internal void WriteNullableString(string? value)
    {
        WriteByte(value is null ? (byte)0 : (byte)1);
        if (value is not null)
        {
            WriteString(value);
        }
    }

    /// <summary>Room for a length that <see cref="WriteLengthSince"/> fills in; returns where it is.</summary>
    internal int ReserveLength()
    {
        var at = _length;
        WriteInt32(0);
        return at;
    }

    /// <summary>Writes, at <paramref name="at"/>, the count of bytes written after the length there.</summary>
    internal void WriteLengthSince(int at) =>
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at, sizeof(int)), _length - at - sizeof(int));

    /// <summary>
    /// The buffer, as an IBufferWriter that appends to what was written; give it back with
    /// <see cref="TakeBackBuffer"/>, also when the writer throws, since it may have grown the buffer.
    /// </summary>
    internal KeyBufferWriter LendBuffer() => KeyBufferWriter.Rent(_buffer!, _length);

    internal void TakeBackBuffer(KeyBufferWriter writer) => _buffer = writer.Return(out _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static MemoKey Hash(byte[] buffer, int length)
    {
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(buffer.AsSpan(0, length), hash);
        return new MemoKey(BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash.Slice(8)));
    }

    /// <summary>ArgumentWriter&lt;T&gt;'s writer for the fixed-width primitives, which <see cref="TryWritePrimitive{T}"/> defines.</summary>
    internal void WritePrimitive<T>(T value)
    {
        if (!TryWritePrimitive(value))
        {
            throw new NotSupportedException($"{typeof(T)} is not a fixed-width primitive.");
        }
    }

    /// <summary>The canonical form of the fixed-width primitives, their one definition; false for any other T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWritePrimitive<T>(T value)
    {
        if (typeof(T) == typeof(int))
        {
            WriteInt32(Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(long))
        {
            WriteInt64(Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(bool))
        {
            WriteByte(Unsafe.As<T, bool>(ref value) ? (byte)1 : (byte)0);
        }
        else if (typeof(T) == typeof(double))
        {
            WriteInt64(BitConverter.DoubleToInt64Bits(Unsafe.As<T, double>(ref value)));
        }
        else if (typeof(T) == typeof(float))
        {
            WriteInt32(Unsafe.As<T, int>(ref value));
        }
        else if (typeof(T) == typeof(ulong))
        {
            WriteInt64(Unsafe.As<T, long>(ref value));
        }
        else if (typeof(T) == typeof(uint))
        {
            WriteInt64(Unsafe.As<T, uint>(ref value));
        }
        else if (typeof(T) == typeof(short))
        {
            WriteInt32(Unsafe.As<T, short>(ref value));
        }
        else if (typeof(T) == typeof(ushort))
        {
            WriteInt32(Unsafe.As<T, ushort>(ref value));
        }
        else if (typeof(T) == typeof(char))
        {
            WriteInt32(Unsafe.As<T, char>(ref value));
        }
        else if (typeof(T) == typeof(byte))
        {
            WriteByte(Unsafe.As<T, byte>(ref value));
        }
        else if (typeof(T) == typeof(sbyte))
        {
            WriteByte(Unsafe.As<T, byte>(ref value));
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>Everything but the fixed-width primitives; an argument that cannot be written fails the key.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddWritten<T>(T value)
    {
        try
        {
            if (typeof(T) == typeof(string))
            {
                WriteNullableString(Unsafe.As<T, string?>(ref value));
            }
            else
            {
                ArgumentWriter<T>.Write(ref this, value);
            }
        }
        catch (Exception ex)
        {
            _failed = true;
            _method.ReportUnkeyableArgument(typeof(T), value?.GetType(), ex);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        var buffer = _buffer!;
        var length = _length;
        if (length > buffer.Length - count)
        {
            buffer = Grow(count);
        }

        _length = length + count;
        return buffer.AsSpan(length, count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte[] Grow(int count)
    {
        var buffer = _buffer!;
        var grown = new byte[Math.Max(buffer.Length * 2, _length + count)];
        buffer.AsSpan(0, _length).CopyTo(grown);
        _buffer = grown;
        return grown;
    }
}
