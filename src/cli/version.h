#pragma once
#define UD_VERSION "0.1.0"
