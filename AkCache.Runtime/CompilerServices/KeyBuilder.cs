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
/// <para>The first <see cref="InlineCapacity"/> bytes are written inside the builder itself, so that
/// the key of a few fixed-width arguments (the common case: ints, longs, a Guid, a short string)
/// touches no buffer and no per-thread slot: it is hashed from the stack.</para>
/// <para>Past that the bytes move to a buffer taken from a per-thread slot and given back by
/// <see cref="Complete"/>. A nested call on the same thread (an argument whose serialization calls a
/// memoized method) finds the slot empty and gets a buffer of its own.</para>
/// <para>Either way the bytes, and so the key, are the same: the canonical form of docs/keys.md.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct KeyBuilder
{
    /// <summary>The bytes kept inside the builder before it takes a buffer.</summary>
    internal const int InlineCapacity = 32;

    private const int RetainedBufferLimit = 64 * 1024;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private readonly MemoizedMethod _method;

    /// <summary>Null while the bytes fit in <see cref="_inline"/>.</summary>
    private byte[]? _buffer;
    private int _length;
    private bool _failed;
    private InlineBytes _inline;

    internal KeyBuilder(MemoizedMethod method, bool active)
    {
        _method = method;
        _buffer = null;
        _length = 0;
        _failed = !active;
        _inline = default;
    }

    /// <summary>A builder of its own for one element of an unordered collection; errors propagate to the outer Add.</summary>
    internal static KeyBuilder Detached() => new(null, active: true, buffer: new byte[64]);

    private KeyBuilder(MemoizedMethod? method, bool active, byte[] buffer)
    {
        _method = method!;
        _buffer = buffer;
        _length = 0;
        _failed = !active;
        _inline = default;
    }

    /// <summary>Adds the next argument.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
            // On a copy: a call given the address of the stub's builder would keep the JIT from
            // holding its fields in registers (and from folding its checks). The other calls out
            // of line pass fields, not the builder, for the same reason.
            var apart = this;
            apart.AddWritten(value);
            this = apart;
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public MemoKey Complete()
    {
        if (_buffer is null)
        {
            return _failed ? default : HashInline();
        }

        var buffer = _buffer;
        _buffer = null;
        return CompleteBuffered(_method, buffer, _length, _failed);
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
        var key = _buffer is null ? HashInline() : Hash(_buffer.AsSpan(0, _length));
        _length = 0;
        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteByte(byte value)
    {
        var length = _length;
        var buffer = _buffer;
        if (buffer is null)
        {
            if ((uint)length < InlineCapacity)
            {
                _inline.Put(length, value, 1);
                _length = length + 1;
                return;
            }

            buffer = _buffer = Spill(_method, _inline, length, 1);
        }
        else if ((uint)length >= (uint)buffer.Length)
        {
            buffer = _buffer = Grow(buffer, length, 1);
        }

        buffer[length] = value;
        _length = length + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteInt32(int value)
    {
        var length = _length;
        var buffer = _buffer;
        if (buffer is null)
        {
            if (length <= InlineCapacity - sizeof(int))
            {
                _inline.Put(length, unchecked((uint)value), sizeof(int));
                _length = length + sizeof(int);
                return;
            }

            buffer = _buffer = Spill(_method, _inline, length, sizeof(int));
        }
        else if (length > buffer.Length - sizeof(int))
        {
            buffer = _buffer = Grow(buffer, length, sizeof(int));
        }

        Unsafe.WriteUnaligned(ref buffer[length], BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
        _length = length + sizeof(int);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteInt64(long value)
    {
        var length = _length;
        var buffer = _buffer;
        if (buffer is null)
        {
            if (length <= InlineCapacity - sizeof(long))
            {
                _inline.Put(length, unchecked((ulong)value), sizeof(long));
                _length = length + sizeof(long);
                return;
            }

            buffer = _buffer = Spill(_method, _inline, length, sizeof(long));
        }
        else if (length > buffer.Length - sizeof(long))
        {
            buffer = _buffer = Grow(buffer, length, sizeof(long));
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
    internal void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        var length = _length;
        if (_buffer is null && bytes.Length <= InlineCapacity - length)
        {
            _inline.PutBytes(length, bytes);
            _length = length + bytes.Length;
            return;
        }

        bytes.CopyTo(Reserve(bytes.Length));
    }

    /// <summary>The length, then the UTF-16 code units, little endian.</summary>
    internal void WriteString(string value)
    {
        WriteInt32(value.Length);
        if (BitConverter.IsLittleEndian)
        {
            // In memory a string already is its code units, little endian here: one copy.
            WriteRaw(MemoryMarshal.AsBytes(value.AsSpan()));
            return;
        }

        var target = Reserve(value.Length * 2);
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
        // In the buffer, where WriteLengthSince and LendBuffer work.
        if (_buffer is null)
        {
            _buffer = Spill(_method, _inline, _length, sizeof(int));
        }

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
    internal KeyBufferWriter LendBuffer() => KeyBufferWriter.Rent(_buffer ??= Spill(_method, _inline, _length, 0), _length);

    internal void TakeBackBuffer(KeyBufferWriter writer) => _buffer = writer.Return(out _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static MemoKey Hash(ReadOnlySpan<byte> bytes)
    {
#if NET8_0_OR_GREATER
        // The same two halves as the big-endian digest below, without writing it to memory and reading it back.
        var hash = XxHash128.HashToUInt128(bytes);
        return new MemoKey((ulong)(hash >> 64), (ulong)hash);
#else
        Span<byte> hash = stackalloc byte[16];
        XxHash128.Hash(bytes, hash);
        return new MemoKey(BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash.Slice(8)));
#endif
    }

    /// <summary>The hash of the bytes kept inside the builder, copied to the stack (a span cannot point into a struct on netstandard2.0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly MemoKey HashInline()
    {
        Span<byte> bytes = stackalloc byte[InlineCapacity];
        _inline.CopyTo(bytes);
        return Hash(bytes.Slice(0, _length));
    }

    /// <summary><see cref="Complete"/> once the bytes outgrew the builder: the buffer goes back to this thread's slot.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MemoKey CompleteBuffered(MemoizedMethod? method, byte[] buffer, int length, bool failed)
    {
        var key = failed ? default : Hash(buffer.AsSpan(0, length));
        if (method is not null && buffer.Length <= RetainedBufferLimit)
        {
            t_buffer = buffer;
        }

        return key;
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
        var buffer = _buffer ?? (_buffer = Spill(_method, _inline, _length, count));
        var length = _length;
        if (length > buffer.Length - count)
        {
            buffer = _buffer = Grow(buffer, length, count);
        }

        _length = length + count;
        return buffer.AsSpan(length, count);
    }

    /// <summary>
    /// Moves the bytes kept inside the builder to a buffer with room for <paramref name="count"/>
    /// more: this thread's idle one if it has one (a builder of the woven code), else a new one.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] Spill(MemoizedMethod? method, InlineBytes inline, int length, int count)
    {
        byte[]? buffer = null;
        if (method is not null)
        {
            buffer = t_buffer;
            t_buffer = null;
        }

        var needed = Math.Max(length + count, InlineCapacity);
        if (buffer is null || buffer.Length < needed)
        {
            buffer = new byte[Math.Max(256, needed)];
        }

        inline.CopyTo(buffer);
        return buffer;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] Grow(byte[] buffer, int length, int count)
    {
        var grown = new byte[Math.Max(buffer.Length * 2, length + count)];
        buffer.AsSpan(0, length).CopyTo(grown);
        return grown;
    }

    /// <summary>
    /// The builder's own room for the first <see cref="InlineCapacity"/> bytes of a key: four
    /// ulongs, byte i of the key in byte i % 8 (little endian) of field i / 8, written by shifts.
    /// </summary>
    /// <remarks>
    /// Written as whole ulongs and copied out as whole ulongs, never as bytes read back wider than
    /// they were written: a load that spans several smaller stores cannot be forwarded from them
    /// and waits for them to reach the cache (about a dozen cycles, a third of the hit).
    /// </remarks>
    [StructLayout(LayoutKind.Sequential)]
    private struct InlineBytes
    {
        private ulong _0;
        private ulong _1;
        private ulong _2;
        private ulong _3;

        /// <summary>ORs the low <paramref name="count"/> bytes of <paramref name="value"/> (1 to 8, the rest zero) in at <paramref name="offset"/>; those bytes are still zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(int offset, ulong value, int count)
        {
            // Fields by name, not by address, so that the builder's fields can live in registers.
            var shift = (offset & 7) * 8;
            var low = value << shift;
            var high = shift + (count * 8) > 64 ? value >> (64 - shift) : 0;
            switch (offset >> 3)
            {
                case 0:
                    _0 |= low;
                    _1 |= high;
                    break;
                case 1:
                    _1 |= low;
                    _2 |= high;
                    break;
                case 2:
                    _2 |= low;
                    _3 |= high;
                    break;
                default:
                    // The caller keeps the write inside the 32 bytes: nothing spills past _3.
                    _3 |= low;
                    break;
            }
        }

        public void PutBytes(int offset, ReadOnlySpan<byte> bytes)
        {
            var at = 0;
            for (; bytes.Length - at >= sizeof(ulong); at += sizeof(ulong))
            {
                Put(offset + at, BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(at)), sizeof(ulong));
            }

            for (; at < bytes.Length; at++)
            {
                Put(offset + at, bytes[at], 1);
            }
        }

        /// <summary>The <see cref="InlineCapacity"/> bytes, in key order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void CopyTo(Span<byte> destination)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, _0);
            BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(8), _1);
            BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(16), _2);
            BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(24), _3);
        }
    }
}
