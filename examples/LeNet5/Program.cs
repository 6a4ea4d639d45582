using Sharpkeras.Examples.LeNet5;

try
{
    LeNet5Example.Run(args);
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
