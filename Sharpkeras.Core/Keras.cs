using TorchSharp;
using static TorchSharp.torch;

namespace Sharpkeras;

/// <summary>
/// The static entry point, like Python's <c>keras</c> module: <c>Input</c> for the Functional API
/// and <see cref="Config"/> for global settings (image data format, device, seed).
/// </summary>
public static partial class Keras
{
    /// <summary>The library version written into saved files.</summary>
    public const string Version = "0.1.0";

    /// <summary>
    /// Creates a symbolic input for the Functional API (Keras's <c>keras.Input</c>).
    /// </summary>
    /// <param name="shape">The shape without the batch dimension; use <c>null</c> for a variable dimension.</param>
    /// <param name="batchSize">Optional fixed batch size.</param>
    /// <param name="name">Optional name of the input layer.</param>
    /// <param name="dtype">The element type (default float32).</param>
    public static KerasTensor Input(int?[] shape, int? batchSize = null, string? name = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var layer = new Layers.InputLayer(shape, batchSize: batchSize, name: name, dtype: dtype);
        return layer.Output!;
    }

    /// <summary>Creates a symbolic input from a fully known shape (batch dimension excluded).</summary>
    /// <param name="shape">The shape without the batch dimension, every dimension known (e.g. <c>[28, 28, 1]</c>).</param>
    /// <param name="batchSize">Optional fixed batch size (default: variable).</param>
    /// <param name="name">Optional name of the input layer (default: an automatic unique name).</param>
    /// <param name="dtype">The element type (default float32; int64 or int32 for token ids fed to an Embedding).</param>
    public static KerasTensor Input(int[] shape, int? batchSize = null, string? name = null, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Input(shape.Select(d => (int?)d).ToArray(), batchSize, name, dtype);
    }

    /// <summary>Resets the automatic layer-name counters (Keras's <c>keras.backend.clear_session()</c>).</summary>
    public static void ClearSession() => Engine.NameScope.Reset();

    /// <summary>Global settings (Keras's <c>keras.config</c> and <c>keras.utils.set_random_seed</c>).</summary>
    public static partial class Config
    {
        private static string _imageDataFormat = "channels_last";
        private static Device? _device;

        /// <summary>"channels_last" (default, N H W C) or "channels_first" (N C H W).</summary>
        public static string ImageDataFormat
        {
            get => _imageDataFormat;
            set
            {
                if (value != "channels_last" && value != "channels_first")
                    throw new ArgumentException($"ImageDataFormat must be 'channels_last' or 'channels_first'; got '{value}'.", nameof(value));
                _imageDataFormat = value;
            }
        }

        /// <summary>The device new weights are created on: CUDA when available, otherwise CPU.</summary>
        public static Device Device
        {
            get => _device ??= Engine.DeviceUtils.DefaultDevice();
            set => _device = value ?? throw new ArgumentNullException(nameof(value));
        }

        /// <summary>The default float type of weights ("float32").</summary>
        public static ScalarType FloatX { get; set; } = ScalarType.Float32;

        /// <summary>Small constant used by losses and metrics to avoid log(0) (Keras's epsilon, 1e-7).</summary>
        public static double Epsilon { get; set; } = 1e-7;

        /// <summary>The last seed set with <see cref="Seed"/>, or null.</summary>
        public static int? CurrentSeed { get; private set; }

        /// <summary>
        /// Seeds every random generator the library uses (torch's CPU and CUDA generators and the
        /// library's own), so that runs are reproducible on CPU (Keras's <c>set_random_seed</c>).
        /// </summary>
        /// <param name="seed">The seed; the same seed on the same device and thread count gives the same weights, shuffles and dropout masks.</param>
        public static void Seed(int seed)
        {
            CurrentSeed = seed;
            Engine.DeviceUtils.SeedAllDevices(seed);
            Engine.RandomState.Reset(seed);
        }
    }
}
