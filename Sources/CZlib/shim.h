// The system zlib (zlib1g-dev on Debian; swift-nio-extras needs it too), for the PDF writer's
// FlateDecode streams and for reading PNG logos.
#include <zlib.h>
